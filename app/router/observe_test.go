package router_test

import (
	"errors"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"

	"dispatchd/app/router"
	"dispatchd/app/telemetry"
	"dispatchd/messages"
)

func newMetrics() *telemetry.Metrics {
	return telemetry.NewMetrics(telemetry.BuildInfo{Version: "test", Commit: "x"})
}

func TestInflight(t *testing.T) {
	tests := []struct {
		name string
		err  error
	}{
		{name: "success"},
		{name: "failure", err: errors.New("boom")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newMetrics()
			var during float64
			_, err := router.Inflight(m)(func(*message.Message) ([]*message.Message, error) {
				during = metricValue(t, m.Registry, "dispatchd_inflight_messages", nil)
				return nil, tt.err
			})(newMsg("in-1", messages.TypeOrderPlaced, orderPlaced))
			require.ErrorIs(t, err, tt.err)
			require.Equal(t, 1.0, during)
			require.Equal(t, 0.0, metricValue(t, m.Registry, "dispatchd_inflight_messages", nil))
		})
	}
}

func TestAttempt(t *testing.T) {
	typ := map[string]string{"type": messages.TypeOrderPlaced}
	success := map[string]string{"type": messages.TypeOrderPlaced, "outcome": telemetry.OutcomeSuccess}
	tests := []struct {
		name        string
		err         error
		wantSuccess bool
	}{
		{name: "success_is_counted", wantSuccess: true},
		{name: "failure_is_timed_not_counted", err: errors.New("boom")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newMetrics()
			want := []*message.Message{message.NewMessage("out-1", nil)}
			out, err := router.Attempt(m, zap.NewNop())(func(*message.Message) ([]*message.Message, error) {
				if tt.err != nil {
					return nil, tt.err
				}
				return want, nil
			})(newMsg("in-1", messages.TypeOrderPlaced, orderPlaced))

			require.Equal(t, 1.0, metricValue(t, m.Registry, "dispatchd_handler_duration_seconds", typ), "every attempt is timed")
			if tt.wantSuccess {
				require.NoError(t, err)
				require.Equal(t, want, out)
				require.Equal(t, 1.0, metricValue(t, m.Registry, "dispatchd_messages_handled_total", success))
				return
			}
			require.ErrorIs(t, err, tt.err)
			require.False(t, hasMetric(t, m.Registry, "dispatchd_messages_handled_total", success),
				"a failed attempt's outcome is counted by retry or dead letter")
		})
	}
}

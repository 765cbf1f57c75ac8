package router_test

import (
	"context"
	"errors"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"dispatchd/app/router"
	"dispatchd/app/telemetry"
	"dispatchd/handlers"
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
	errBoom := errors.New("boom")
	reg := handlers.Default().MustRegister("order.flaky", handlers.Func{HandlerName: "flaky",
		Fn: func(context.Context, messages.Envelope) (messages.Result, error) { return messages.Result{}, errBoom }})
	tests := []struct {
		name        string
		typ         string
		wantType    string // the type label
		wantHandler string
		wantErr     error
	}{
		{name: "success_is_counted", typ: messages.TypeOrderPlaced, wantType: messages.TypeOrderPlaced, wantHandler: "dispatch-order"},
		{name: "failure_is_timed_not_counted", typ: "order.flaky", wantType: "order.flaky", wantHandler: "flaky", wantErr: errBoom},
		{name: "unknown_type_has_no_handler", typ: "order.teleported", wantType: telemetry.UnknownType,
			wantHandler: telemetry.NoHandler, wantErr: handlers.ErrUnknownType},
		{name: "missing_type_has_no_handler", typ: "", wantType: telemetry.UnknownType,
			wantHandler: telemetry.NoHandler, wantErr: handlers.ErrMissingType},
		{name: "type_that_is_not_utf8_has_no_handler", typ: "\xb7", wantType: telemetry.UnknownType,
			wantHandler: telemetry.NoHandler, wantErr: handlers.ErrUnknownType},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newMetrics()
			core, logs := observer.New(zap.DebugLevel)
			out, err := router.Attempt(m, zap.New(core))(router.Dispatch(reg))(newMsg("in-1", tt.typ, orderPlaced))

			labels := map[string]string{"type": tt.wantType, "handler": tt.wantHandler}
			require.Equal(t, 1.0, metricValue(t, m.Registry, "dispatchd_handler_duration_seconds", labels),
				"every attempt is timed")
			success := map[string]string{"type": tt.wantType, "handler": tt.wantHandler, "outcome": telemetry.OutcomeSuccess}
			entries := logs.FilterMessage("handled").All()
			require.Len(t, entries, 1)
			require.Equal(t, tt.wantHandler, entries[0].ContextMap()["handler"], "the log names the handler")
			if tt.wantErr == nil {
				require.NoError(t, err)
				require.Len(t, out, 1)
				require.Equal(t, 1.0, metricValue(t, m.Registry, "dispatchd_messages_handled_total", success))
				return
			}
			require.ErrorIs(t, err, tt.wantErr)
			require.False(t, hasMetric(t, m.Registry, "dispatchd_messages_handled_total", success),
				"a failed attempt's outcome is counted by retry or dead letter")
		})
	}
}

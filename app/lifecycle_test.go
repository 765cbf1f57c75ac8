package app

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/fx"
	"go.uber.org/fx/fxtest"
	"go.uber.org/zap"
)

func TestStages_start_top_down_and_stop_bottom_up(t *testing.T) {
	cases := []struct {
		name      string
		failAt    string
		wantCalls []string
	}{
		{name: "clean_start_and_stop", wantCalls: []string{
			"start b", "start c", "start d", "stop d", "stop c", "stop b", "stop a"}},
		{name: "failed_start_stops_only_the_stages_above_it", failAt: "c", wantCalls: []string{
			"start b", "start c", "stop b", "stop a"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var calls []string
			step := func(verb, name string) func(context.Context) error {
				return func(context.Context) error {
					calls = append(calls, verb+" "+name)
					if verb == "start" && name == tc.failAt {
						return errors.New("boom")
					}
					return nil
				}
			}
			ss := []stage{
				{name: "a", stop: step("stop", "a")},
				{name: "b", start: step("start", "b"), stop: step("stop", "b")},
				{name: "c", start: step("start", "c"), stop: step("stop", "c")},
				{name: "d", start: step("start", "d"), stop: step("stop", "d")},
			}
			app := fxtest.New(t, fx.NopLogger, fx.Invoke(func(lc fx.Lifecycle) { appendStages(lc, ss, zap.NewNop()) }))
			err := app.Start(context.Background())
			if tc.failAt != "" {
				require.ErrorContains(t, err, "start "+tc.failAt+": boom")
			} else {
				require.NoError(t, err)
				require.NoError(t, app.Stop(context.Background()))
			}
			require.Equal(t, tc.wantCalls, calls)
		})
	}
}

func TestStages_stop_tells_systemd_then_readiness_then_drains_and_flushes_spans_before_closing_clients(t *testing.T) {
	var stops []string
	for _, s := range stages(parts{}) { // method values of nil parts are never called here
		if s.stop != nil {
			stops = append([]string{s.name}, stops...)
		}
	}
	require.Equal(t, []string{"systemd", "readiness", "lag", "router", "http", "tracing", "subscriber", "producer"}, stops)
}

func TestStages_http_answers_before_the_cluster_is_waited_for(t *testing.T) {
	var starts []string
	nop := func(context.Context) error { return nil }
	for _, s := range stages(parts{Connect: nop, Topics: nop}) { // method values of nil parts are never called here
		if s.start != nil {
			starts = append(starts, s.name)
		}
	}
	require.Equal(t, []string{"http", "connect", "topics", "router", "lag", "systemd"}, starts)
}

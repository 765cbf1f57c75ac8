package sdnotify_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/fx"
	"go.uber.org/fx/fxtest"
	"go.uber.org/zap"

	"dispatchd/app/kafka"
	"dispatchd/app/sdnotify"
)

func TestModule_graph(t *testing.T) {
	cases := []struct {
		name     string
		socket   bool
		watchdog string
		wantErr  string
	}{
		{name: "no_socket_is_a_no_op"},
		{name: "socket_and_watchdog", socket: true, watchdog: "200000"},
		{name: "malformed_watchdog_fails_the_build", socket: true, watchdog: "soon", wantErr: "systemd watchdog"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := listen(t)
			addr := ""
			if tc.socket {
				addr = s.addr
			}
			t.Setenv("NOTIFY_SOCKET", addr)
			t.Setenv("WATCHDOG_USEC", tc.watchdog)
			opts := fx.Options(fx.NopLogger, fx.Supply(kafka.NewGroupState(), zap.NewNop()), fx.Provide(func() sdnotify.Health { return kafka.NewProgress(time.Minute) }),
				sdnotify.Module, fx.Invoke(func(lc fx.Lifecycle, a *sdnotify.Agent) { lc.Append(fx.StartStopHook(a.Start, a.Stop)) }))
			if tc.wantErr != "" {
				require.ErrorContains(t, fx.New(opts).Err(), tc.wantErr)
				return
			}
			fxtest.New(t, opts).RequireStart().RequireStop()
			want := []string(nil)
			if tc.socket {
				want = []string{"STOPPING=1"} // never joined: no READY=1
			}
			require.Equal(t, want, s.pending(t))
		})
	}
}

package deployments_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"dispatchd/config"
)

// TestStopGrace_exceeds_the_shutdown_bound: each supervisor must wait longer
// after SIGTERM than shutdown.timeout (which exceeds the drain budget), or it
// kills a stop that was going to end cleanly.
func TestStopGrace_exceeds_the_shutdown_bound(t *testing.T) {
	def := config.Default()
	require.Greater(t, def.Shutdown.Timeout, def.Shutdown.DrainTimeout)
	bounded := map[string]bool{}
	for _, tg := range targets(t) {
		if tg.grace == 0 {
			continue // the image sets no bound; docker stop -t does
		}
		bounded[tg.name] = true
		t.Run(tg.name, func(t *testing.T) {
			cfg, err := config.Load("", tg.environ, nil)
			require.NoError(t, err)
			require.Greater(t, tg.grace, def.Shutdown.Timeout, "grace vs default shutdown.timeout")
			require.Greater(t, tg.grace, cfg.Shutdown.Timeout, "grace vs this deployment's shutdown.timeout")
		})
	}
	for _, name := range []string{"systemd", "systemd_template", "compose_dispatchd", "kubernetes"} {
		require.True(t, bounded[name], "%s sets no stop grace period", name)
	}
}

// TestStopSignal_is_SIGTERM: SIGTERM is what starts the graceful stop.
func TestStopSignal_is_SIGTERM(t *testing.T) {
	cases := []struct {
		name string
		got  func(t *testing.T) []string
	}{
		{"dockerfile", func(t *testing.T) []string { return all(finalStage(t, "docker/Dockerfile"), "STOPSIGNAL") }},
		{"systemd", func(t *testing.T) []string {
			return []string{parseUnit(t, "systemd/dispatchd.service", nil).last("Service", "KillSignal")}
		}},
		{"systemd_template", func(t *testing.T) []string {
			return []string{parseUnit(t, "systemd/dispatchd@.service", templateSpec).last("Service", "KillSignal")}
		}},
		{"compose", func(t *testing.T) []string { return []string{composeServices(t)["dispatchd"].StopSignal} }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, []string{"SIGTERM"}, tc.got(t))
		})
	}
}

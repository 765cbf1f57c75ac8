package deployments_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"dispatchd/config"
)

var unitFiles = []struct {
	name, file string
	spec       map[string]string
}{
	{"single", "systemd/dispatchd.service", nil},
	{"template", "systemd/dispatchd@.service", templateSpec},
}

// TestUnits_settings: a notify service with a watchdog, restarted on
// failure, reading the shared EnvironmentFile, and hardened.
func TestUnits_settings(t *testing.T) {
	want := map[string]string{
		"Type": "notify", "NotifyAccess": "main", "ExecStart": "/usr/local/bin/dispatchd run",
		"Restart": "on-failure", "KillSignal": "SIGTERM",
		"DynamicUser": "yes", "ProtectSystem": "strict", "ProtectHome": "yes", "PrivateTmp": "yes",
		"PrivateDevices": "yes", "NoNewPrivileges": "yes", "ProtectKernelTunables": "yes",
		"ProtectKernelModules": "yes", "ProtectControlGroups": "yes",
		"RestrictAddressFamilies": "AF_UNIX AF_INET AF_INET6", "RestrictNamespaces": "yes",
		"LockPersonality": "yes", "MemoryDenyWriteExecute": "yes", "RestrictRealtime": "yes",
		"SystemCallArchitectures": "native", "CapabilityBoundingSet": "",
	}
	for _, uf := range unitFiles {
		t.Run(uf.name, func(t *testing.T) {
			u := parseUnit(t, uf.file, uf.spec)
			for k, v := range want {
				require.Contains(t, u["Service"], k)
				require.Equal(t, v, u.last("Service", k), k)
			}
			require.Contains(t, u["Service"]["SystemCallFilter"], "@system-service")
			require.Contains(t, u["Service"]["EnvironmentFile"], "-/etc/dispatchd/dispatchd.env")
			wd := systemdDuration(t, u.last("Service", "WatchdogSec"))
			require.Greater(t, wd, config.Default().Shutdown.Timeout,
				"WatchdogSec: a stop must not outlast the watchdog it stopped feeding")
		})
	}
}

// TestTemplate_instances_differ: two instances on one host get their own
// HTTP port and their own static member id.
func TestTemplate_instances_differ(t *testing.T) {
	load := func(instance string) config.Config {
		u := parseUnit(t, "systemd/dispatchd@.service", map[string]string{"%i": instance, "%H": "node-1"})
		cfg, err := config.Load("", u.environment(), nil)
		require.NoError(t, err)
		require.NoError(t, cfg.Validate())
		return cfg
	}
	a, b := load("8081"), load("8082")
	require.Equal(t, "127.0.0.1:8081", a.HTTP.Addr)
	require.Equal(t, "node-1-8081", a.Consumer.InstanceID)
	require.NotEqual(t, a.HTTP.Addr, b.HTTP.Addr)
	require.NotEqual(t, a.Consumer.InstanceID, b.Consumer.InstanceID)
	for _, line := range envFile(t, "systemd/dispatchd.env") {
		for _, perInstance := range []string{"DISPATCHD_HTTP_ADDR=", "DISPATCHD_CONSUMER_INSTANCE_ID="} {
			require.NotContains(t, line, perInstance, "dispatchd.env would override every instance's own value")
		}
	}
}

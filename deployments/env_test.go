package deployments_test

import (
	"net"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"

	"dispatchd/config"
)

// TestEnvNames_exist checks every DISPATCHD_* name written anywhere under
// deployments/ (comments included) against config.EnvVars: the daemon exits 2
// on an unknown one.
func TestEnvNames_exist(t *testing.T) {
	known := map[string]bool{}
	for _, v := range config.EnvVars() {
		known[v.Name] = true
	}
	name := regexp.MustCompile(`DISPATCHD_[A-Z0-9_]+`)
	seen := map[string]int{}
	for _, dir := range []string{"systemd", "docker", "compose", "kubernetes", "."} {
		pattern := filepath.Join(dir, "*")
		if dir == "." {
			pattern = "README.md"
		}
		files, err := filepath.Glob(pattern)
		require.NoError(t, err)
		for _, f := range files {
			b, err := os.ReadFile(f)
			require.NoError(t, err)
			for _, n := range name.FindAllString(string(b), -1) {
				require.True(t, known[n], "%s: %s is not a setting of config.EnvVars", f, n)
				seen[dir]++
			}
		}
	}
	for _, dir := range []string{"systemd", "docker", "compose", "kubernetes"} {
		require.NotZero(t, seen[dir], "no DISPATCHD_* name found under %s: the check would be vacuous", dir)
	}
}

// TestEnvironments_load_and_validate builds the environment each deployment
// gives the daemon and loads it as the daemon would.
func TestEnvironments_load_and_validate(t *testing.T) {
	for _, tg := range targets(t) {
		t.Run(tg.name, func(t *testing.T) {
			cfg, err := config.Load("", tg.environ, nil)
			require.NoError(t, err)
			require.NoError(t, cfg.Validate())
			host, _, err := net.SplitHostPort(cfg.HTTP.Addr)
			require.NoError(t, err)
			if tg.container {
				require.Contains(t, []string{"", "0.0.0.0", "::"}, host,
					"http.addr %s is not reachable from outside the container", cfg.HTTP.Addr)
			}
		})
	}
}

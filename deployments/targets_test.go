package deployments_test

import (
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// target is one way dispatchd is deployed: the environment the daemon
// starts with there, and how long its supervisor waits after SIGTERM before
// it kills (0 when the target sets no such bound).
type target struct {
	name      string
	environ   []string
	grace     time.Duration
	container bool // its HTTP address must be reachable from outside the container
}

// Specifiers for the template unit: instance 8081 on host node-1.
var templateSpec = map[string]string{"%i": "8081", "%H": "node-1"}

// targets lists every deployment under deployments/.
func targets(t *testing.T) []target {
	t.Helper()
	var out []target
	for _, u := range []struct {
		name string
		file string
		spec map[string]string
	}{
		{"systemd", "systemd/dispatchd.service", nil},
		{"systemd_template", "systemd/dispatchd@.service", templateSpec},
	} {
		unit := parseUnit(t, u.file, u.spec)
		// EnvironmentFile= overrides Environment=, as systemd applies them.
		env := append(unit.environment(), envFile(t, "systemd/dispatchd.env")...)
		out = append(out, target{name: u.name, environ: env, grace: systemdDuration(t, unit.last("Service", "TimeoutStopSec"))})
	}
	out = append(out, target{name: "docker_image", environ: imageEnviron(t), container: true})
	svcs := composeServices(t)
	for _, name := range slices.Sorted(maps.Keys(svcs)) {
		s := svcs[name]
		if !s.runsDispatchd() {
			continue
		}
		tg := target{name: "compose_" + name, environ: append(imageEnviron(t), s.environment(t)...), container: true}
		if s.StopGracePeriod != "" {
			d, err := time.ParseDuration(s.StopGracePeriod)
			require.NoError(t, err, "compose %s stop_grace_period", name)
			tg.grace = d
		}
		out = append(out, tg)
	}
	var d deployment
	one(t, "Deployment", &d)
	tg := target{name: "kubernetes", environ: podEnviron(t, d), container: true}
	if g := d.Spec.Template.Spec.TerminationGracePeriodSeconds; g != nil {
		tg.grace = time.Duration(*g) * time.Second
	}
	out = append(out, tg)
	var job deployment // a Job's pod template has the Deployment's shape
	one(t, "Job", &job)
	return append(out, target{name: "kubernetes_topics_job", environ: podEnviron(t, job), container: true})
}

// imageEnviron is the ENV of the image's final stage.
func imageEnviron(t *testing.T) []string {
	t.Helper()
	var out []string
	for _, args := range all(finalStage(t, "docker/Dockerfile"), "ENV") {
		for _, kv := range strings.Fields(args) {
			require.Contains(t, kv, "=", "ENV %q: use the NAME=value form", args)
			out = append(out, kv)
		}
	}
	return out
}

// systemdDuration parses a time span as systemd writes it: bare seconds, or
// number-unit pairs like "1min 30s".
func systemdDuration(t *testing.T, s string) time.Duration {
	t.Helper()
	require.NotEmpty(t, s, "time span missing")
	if n, err := strconv.Atoi(s); err == nil {
		return time.Duration(n) * time.Second
	}
	norm := strings.NewReplacer("min", "m", " ", "").Replace(s)
	d, err := time.ParseDuration(norm)
	require.NoError(t, err, "time span %q", s)
	return d
}

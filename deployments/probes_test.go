package deployments_test

import (
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/IBM/sarama"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"

	"dispatchd/app/httpapi"
	"dispatchd/app/kafka"
	"dispatchd/app/router"
	"dispatchd/app/telemetry"
	"dispatchd/config"
	"dispatchd/handlers"
)

// readiness is an httpapi.Readiness with a fixed answer.
type readiness bool

func (r readiness) Ready() bool    { return bool(r) }
func (r readiness) Joined() bool   { return bool(r) }
func (r readiness) Stopping() bool { return false }

// health is an httpapi.Health with nothing stalled or paused.
type health struct{}

func (health) Stalled() []string      { return nil }
func (health) Paused() []router.Pause { return nil }

// noSender fails every send; probes never send.
type noSender struct{}

func (noSender) Send([]*sarama.ProducerMessage) ([]kafka.Delivery, error) {
	return nil, errors.New("probes do not send")
}

// podRoutes are the pod's listeners as httpapi.Routes builds them from the
// pod's environment, by port.
func podRoutes(t *testing.T, d deployment, ready bool) map[string]http.Handler {
	t.Helper()
	return environRoutes(t, podEnviron(t, d), ready)
}

// environRoutes are the daemon's listeners as httpapi.Routes builds them
// from environ, by port; a send token file is stood in for by a temporary
// one.
func environRoutes(t *testing.T, environ []string, ready bool) map[string]http.Handler {
	t.Helper()
	cfg, err := config.Load("", environ, nil)
	require.NoError(t, err)
	if cfg.HTTP.Send.TokenFile != "" {
		cfg.HTTP.Send.TokenFile = filepath.Join(t.TempDir(), "token")
		require.NoError(t, os.WriteFile(cfg.HTTP.Send.TokenFile, []byte("0123456789abcdef0123"), 0o600))
	}
	main, admin, err := httpapi.Routes(cfg, httpapi.Endpoints{
		Ready: readiness(ready), Health: health{}, Sender: noSender{}, Registry: handlers.Default(),
		Metrics: telemetry.NewMetrics(telemetry.BuildInfo{Version: "test", Commit: "test"}), Log: zap.NewNop()})
	require.NoError(t, err)
	out := map[string]http.Handler{port(t, cfg.HTTP.Addr): main}
	if admin != nil {
		out[port(t, cfg.HTTP.AdminAddr)] = admin
	}
	return out
}

// get serves GET path on h.
func get(h http.Handler, path string) int {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	return rec.Code
}

// TestProbes_hit_routed_endpoints reads each probe of the Deployment and
// serves its path on the listener of its port, as httpapi.Routes builds it
// from the pod's environment: liveness must not fail a member that is
// merely out of its group, readiness must.
func TestProbes_hit_routed_endpoints(t *testing.T) {
	var d deployment
	one(t, "Deployment", &d)
	c := dispatchdContainer(t, d)
	ready, notReady := podRoutes(t, d, true), podRoutes(t, d, false)
	cases := []struct {
		name                    string
		probe                   *probe
		path                    string
		whenReady, whenNotReady int
	}{
		{"startup", c.StartupProbe, "/healthz", http.StatusOK, http.StatusOK},
		{"liveness", c.LivenessProbe, "/healthz", http.StatusOK, http.StatusOK},
		{"readiness", c.ReadinessProbe, "/readyz", http.StatusOK, http.StatusServiceUnavailable},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			require.NotNil(t, tc.probe, "no %s probe", tc.name)
			require.NotNil(t, tc.probe.HTTPGet, "%s probe is not httpGet", tc.name)
			require.Equal(t, tc.path, tc.probe.HTTPGet.Path)
			p := resolvePort(t, c, tc.probe.HTTPGet.Port)
			require.Contains(t, ready, p, "no listener on the %s probe's port", tc.name)
			require.Equal(t, http.StatusNotFound, get(ready[p], "/not-routed"), "the check must tell an unrouted path")
			require.Equal(t, tc.whenReady, get(ready[p], tc.probe.HTTPGet.Path))
			require.Equal(t, tc.whenNotReady, get(notReady[p], tc.probe.HTTPGet.Path))
		})
	}
}

// TestPorts_agree: two ports, each the same everywhere. The send port is
// http.addr's, which the image exposes, compose publishes and the Service
// targets; the probe port is http.admin_addr's where a deployment sets it
// (Kubernetes), else the same, and the probes and the scrape annotation hit
// it.
func TestPorts_agree(t *testing.T) {
	var d deployment
	one(t, "Deployment", &d)
	c := dispatchdContainer(t, d)
	var svc service
	one(t, "Service", &svc)
	compose := composeServices(t)["dispatchd"]
	require.NotEmpty(t, compose.Ports)
	pod := loadEnv(t, podEnviron(t, d))
	probePort := port(t, pod.HTTP.Addr)
	if pod.HTTP.AdminAddr != "" {
		probePort = port(t, pod.HTTP.AdminAddr)
	}

	groups := []struct {
		name  string
		want  string
		cases map[string]func(t *testing.T) string
	}{
		{name: "send", want: port(t, pod.HTTP.Addr), cases: map[string]func(t *testing.T) string{
			"kubernetes_service_target": func(t *testing.T) string { return resolvePort(t, c, svc.Spec.Ports[0].TargetPort) },
			"kubernetes_port_http":      func(t *testing.T) string { return resolvePort(t, c, "http") },
			"dockerfile_expose":         func(t *testing.T) string { return strings.Join(all(finalStage(t, "docker/Dockerfile"), "EXPOSE"), " ") },
			"dockerfile_http_addr":      func(t *testing.T) string { return port(t, loadEnv(t, imageEnviron(t)).HTTP.Addr) },
			"compose_http_addr": func(t *testing.T) string {
				return port(t, loadEnv(t, append(imageEnviron(t), compose.environment(t)...)).HTTP.Addr)
			},
			"compose_published": func(t *testing.T) string { return containerPort(compose.Ports[0]) },
		}},
		{name: "probe", want: probePort, cases: map[string]func(t *testing.T) string{
			"kubernetes_startup_probe":     func(t *testing.T) string { return resolvePort(t, c, c.StartupProbe.HTTPGet.Port) },
			"kubernetes_liveness_probe":    func(t *testing.T) string { return resolvePort(t, c, c.LivenessProbe.HTTPGet.Port) },
			"kubernetes_readiness_probe":   func(t *testing.T) string { return resolvePort(t, c, c.ReadinessProbe.HTTPGet.Port) },
			"kubernetes_scrape_annotation": func(t *testing.T) string { return d.Spec.Template.Metadata.Annotations["prometheus.io/port"] },
		}},
	}
	for _, g := range groups {
		for name, got := range g.cases {
			t.Run(g.name+"/"+name, func(t *testing.T) {
				require.Equal(t, g.want, got(t), "every %s port must be the one the pod's config listens on", g.name)
			})
		}
	}
	require.NotEqual(t, groups[0].want, groups[1].want, "Kubernetes keeps the probes and metrics off the Service's port")
}

// loadEnv loads environ as the daemon would.
func loadEnv(t *testing.T, environ []string) config.Config {
	t.Helper()
	cfg, err := config.Load("", environ, nil)
	require.NoError(t, err)
	return cfg
}

// port is the port of addr, a host:port.
func port(t *testing.T, addr string) string {
	t.Helper()
	_, p, err := net.SplitHostPort(addr)
	require.NoError(t, err)
	return p
}

// resolvePort turns a probe or Service port, a number or a container port's
// name, into the number.
func resolvePort(t *testing.T, c container, port any) string {
	t.Helper()
	switch p := port.(type) {
	case int:
		return strconv.Itoa(p)
	case string:
		if _, err := strconv.Atoi(p); err == nil {
			return p
		}
		for _, cp := range c.Ports {
			if cp.Name == p {
				return strconv.Itoa(cp.ContainerPort)
			}
		}
		t.Fatalf("no container port named %q", p)
	}
	t.Fatalf("port %v (%T): want a number or a name", port, port)
	return ""
}

package deployments_test

import (
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
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

// get serves GET path on the daemon's real routes.
func get(t *testing.T, path string, ready bool) int {
	t.Helper()
	h, _, err := httpapi.Routes(config.Default(), httpapi.Endpoints{
		Ready: readiness(ready), Health: health{}, Sender: noSender{}, Registry: handlers.Default(),
		Metrics: telemetry.NewMetrics(telemetry.BuildInfo{Version: "test", Commit: "test"}), Log: zap.NewNop()})
	require.NoError(t, err)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	return rec.Code
}

// TestProbes_hit_routed_endpoints reads each probe of the Deployment and
// serves its path on httpapi.Routes: liveness must not fail a member that is
// merely out of its group, readiness must.
func TestProbes_hit_routed_endpoints(t *testing.T) {
	var d deployment
	one(t, "Deployment", &d)
	c := dispatchdContainer(t, d)
	require.Equal(t, http.StatusNotFound, get(t, "/not-routed", true), "the check must tell an unrouted path")
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
			require.Equal(t, tc.whenReady, get(t, tc.probe.HTTPGet.Path, true))
			require.Equal(t, tc.whenNotReady, get(t, tc.probe.HTTPGet.Path, false))
		})
	}
}

// TestPorts_agree: the port the daemon listens on (DISPATCHD_HTTP_ADDR) is
// the one the image exposes, the probes and the Service hit, and compose
// publishes.
func TestPorts_agree(t *testing.T) {
	var d deployment
	one(t, "Deployment", &d)
	c := dispatchdContainer(t, d)
	var svc service
	one(t, "Service", &svc)
	compose := composeServices(t)["dispatchd"]
	require.NotEmpty(t, compose.Ports)

	cases := []struct {
		name string
		port func(t *testing.T) string
	}{
		{"kubernetes_http_addr", func(t *testing.T) string { return addrPort(t, podEnviron(t, d)) }},
		{"kubernetes_container_port", func(t *testing.T) string { return resolvePort(t, c, "http") }},
		{"kubernetes_startup_probe", func(t *testing.T) string { return resolvePort(t, c, c.StartupProbe.HTTPGet.Port) }},
		{"kubernetes_liveness_probe", func(t *testing.T) string { return resolvePort(t, c, c.LivenessProbe.HTTPGet.Port) }},
		{"kubernetes_readiness_probe", func(t *testing.T) string { return resolvePort(t, c, c.ReadinessProbe.HTTPGet.Port) }},
		{"kubernetes_service_target", func(t *testing.T) string { return resolvePort(t, c, svc.Spec.Ports[0].TargetPort) }},
		{"kubernetes_scrape_annotation", func(t *testing.T) string {
			return d.Spec.Template.Metadata.Annotations["prometheus.io/port"]
		}},
		{"dockerfile_expose", func(t *testing.T) string {
			return strings.Join(all(finalStage(t, "docker/Dockerfile"), "EXPOSE"), " ")
		}},
		{"dockerfile_http_addr", func(t *testing.T) string { return addrPort(t, imageEnviron(t)) }},
		{"compose_http_addr", func(t *testing.T) string {
			return addrPort(t, append(imageEnviron(t), compose.environment(t)...))
		}},
		{"compose_published", func(t *testing.T) string { return containerPort(compose.Ports[0]) }},
	}
	var first string
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.port(t)
			if first == "" {
				first = got
			}
			require.Equal(t, first, got, "every port must be the one DISPATCHD_HTTP_ADDR listens on")
		})
	}
}

// addrPort loads environ as the daemon would and returns http.addr's port.
func addrPort(t *testing.T, environ []string) string {
	t.Helper()
	cfg, err := config.Load("", environ, nil)
	require.NoError(t, err)
	_, port, err := net.SplitHostPort(cfg.HTTP.Addr)
	require.NoError(t, err)
	return port
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

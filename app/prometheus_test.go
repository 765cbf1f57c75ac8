package app_test

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"dispatchd/app/kafkatest"
)

// promServer is a real Prometheus server, Debian's `prometheus`, that
// scrapes one daemon every second as job "dispatchd" and evaluates the
// deployment's rule files, unchanged, every second.
type promServer struct {
	addr, log string
}

// promConfig is the server's configuration: the rule files by glob, so a new
// one is loaded without an edit here.
const promConfig = `global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
rule_files:
  - %q
scrape_configs:
  - job_name: dispatchd
    static_configs:
      - targets: [%q]
`

// startPrometheus starts Prometheus on a free port of 127.0.0.1 with its
// storage in a temporary directory, and stops it at cleanup.
func startPrometheus(t *testing.T, target string) *promServer {
	t.Helper()
	bin := kafkatest.Tool(t, "prometheus", "Debian: apt-get install prometheus")
	rules, err := filepath.Abs(filepath.Join("..", "deployments", "prometheus", "*.rules.yml"))
	require.NoError(t, err)
	dir := t.TempDir()
	cfg := filepath.Join(dir, "prometheus.yml")
	require.NoError(t, os.WriteFile(cfg, []byte(fmt.Sprintf(promConfig, rules, target)), 0o600))
	p := &promServer{log: filepath.Join(dir, "prometheus.log")}
	// The free port is closed before Prometheus binds it, so another
	// process may take it first: try again on a fresh one.
	for range 3 {
		p.addr = freePort(t)
		if p.start(t, bin, cfg, filepath.Join(dir, "data")) {
			return p
		}
	}
	t.Fatalf("prometheus never became ready; its log:\n%s", p.logTail())
	return nil
}

// start runs the server and reports whether it answered ready before it
// exited; if it did, it is stopped at cleanup.
func (p *promServer) start(t *testing.T, bin, cfg, data string) bool {
	t.Helper()
	logf, err := os.Create(p.log)
	require.NoError(t, err)
	defer func() { _ = logf.Close() }()
	cmd := exec.Command(bin, "--config.file="+cfg, "--storage.tsdb.path="+data, "--web.listen-address="+p.addr)
	cmd.Stdout, cmd.Stderr = logf, logf
	require.NoError(t, cmd.Start())
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	stop := func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	}
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		select {
		case <-exited:
			t.Logf("prometheus on %s exited before it was ready:\n%s", p.addr, p.logTail())
			return false
		default:
		}
		if resp, err := http.Get("http://" + p.addr + "/-/ready"); err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				t.Cleanup(stop)
				return true
			}
		}
	}
	stop()
	return false
}

// freePort returns an address on 127.0.0.1 that nothing listened on a moment ago.
func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer func() { _ = l.Close() }()
	return "127.0.0.1:" + strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
}

// api decodes the data of a GET of /api/v1/<path> into out.
func (p *promServer) api(t *testing.T, path string, query url.Values, out any) {
	t.Helper()
	resp, err := http.Get("http://" + p.addr + "/api/v1/" + path + "?" + query.Encode())
	require.NoError(t, err)
	defer func() { _ = resp.Body.Close() }()
	var body struct {
		Status string          `json:"status"`
		Error  string          `json:"error"`
		Data   json.RawMessage `json:"data"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&body), "GET /api/v1/%s", path)
	require.Equal(t, "success", body.Status, "GET /api/v1/%s: %s", path, body.Error)
	require.NoError(t, json.Unmarshal(body.Data, out), "GET /api/v1/%s", path)
}

// holds reports whether the instant query expr returns a sample now.
func (p *promServer) holds(t *testing.T, expr string) bool {
	t.Helper()
	var data struct {
		Result []json.RawMessage `json:"result"`
	}
	p.api(t, "query", url.Values{"query": {expr}}, &data)
	return len(data.Result) > 0
}

// promAlert is one active alert, as /api/v1/alerts lists it.
type promAlert struct {
	Labels map[string]string `json:"labels"`
	State  string            `json:"state"`
	Value  string            `json:"value"`
}

// alerts returns the active (pending or firing) alerts.
func (p *promServer) alerts(t *testing.T) []promAlert {
	t.Helper()
	var data struct {
		Alerts []promAlert `json:"alerts"`
	}
	p.api(t, "alerts", nil, &data)
	return data.Alerts
}

// promRule is one alerting rule, as /api/v1/rules lists it.
type promRule struct {
	Name           string    `json:"name"`
	State          string    `json:"state"`
	Health         string    `json:"health"`
	LastError      string    `json:"lastError"`
	LastEvaluation time.Time `json:"lastEvaluation"`
}

// rules returns the alerting rules by name.
func (p *promServer) rules(t *testing.T) map[string]promRule {
	t.Helper()
	var data struct {
		Groups []struct {
			Rules []promRule `json:"rules"`
		} `json:"groups"`
	}
	p.api(t, "rules", url.Values{"type": {"alert"}}, &data)
	out := map[string]promRule{}
	for _, g := range data.Groups {
		for _, r := range g.Rules {
			out[r.Name] = r
		}
	}
	return out
}

// logTail returns the end of the server's log, for failure messages.
func (p *promServer) logTail() string {
	b, _ := os.ReadFile(p.log)
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

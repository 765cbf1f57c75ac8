package main_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"dispatchd/app/kafkatest"
	"dispatchd/messages"
)

var binDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "dispatchd-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binDir = dir
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

var buildErr error
var built bool

// binary builds cmd/dispatchd once per test run; the tests drive the real
// program, signals and exit codes included.
func binary(t *testing.T) string {
	t.Helper()
	path := filepath.Join(binDir, "dispatchd")
	if !built {
		built = true
		if out, err := exec.Command("go", "build", "-o", path, ".").CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	}
	require.NoError(t, buildErr)
	return path
}

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	return ln.Addr().String()
}

// proc is a running dispatchd process.
type proc struct {
	cmd    *exec.Cmd
	stderr *bytes.Buffer
	http   string
}

func start(t *testing.T, env []string, args ...string) *proc {
	t.Helper()
	p := &proc{stderr: &bytes.Buffer{}, http: freeAddr(t)}
	p.cmd = exec.Command(binary(t), args...)
	p.cmd.Env = append(os.Environ(), append(env, "DISPATCHD_HTTP_ADDR="+p.http)...)
	p.cmd.Stderr = p.stderr
	require.NoError(t, p.cmd.Start())
	t.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			_ = p.cmd.Process.Kill()
			_ = p.cmd.Wait()
		}
		if t.Failed() {
			t.Logf("dispatchd stderr:\n%s", p.stderr.String())
		}
	})
	return p
}

// waitReady polls /readyz and returns how long it took to answer 200.
func (p *proc) waitReady(t *testing.T, began time.Time) time.Duration {
	t.Helper()
	require.Eventually(t, func() bool {
		resp, err := http.Get("http://" + p.http + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}, 60*time.Second, 20*time.Millisecond, "never ready")
	return time.Since(began)
}

// term sends SIGTERM and returns the exit code and how long the exit took.
func (p *proc) term(t *testing.T) (int, time.Duration) {
	t.Helper()
	began := time.Now()
	require.NoError(t, p.cmd.Process.Signal(syscall.SIGTERM))
	done := make(chan error, 1)
	go func() { done <- p.cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		t.Fatal("dispatchd did not exit after SIGTERM")
	}
	return p.cmd.ProcessState.ExitCode(), time.Since(began)
}

func TestBinary_run_processes_plain_records_and_exits_0_on_SIGTERM(t *testing.T) {
	c := kafkatest.Start(t)
	cfg := c.Config(t, 8)
	env := []string{
		"DISPATCHD_KAFKA_BROKERS=" + strings.Join(c.Brokers, ","),
		"DISPATCHD_CONSUMER_GROUP=" + cfg.Consumer.Group,
		"DISPATCHD_TOPICS_INPUT=" + cfg.Topics.Input,
		"DISPATCHD_TOPICS_OUTPUT=" + cfg.Topics.Output,
		"DISPATCHD_TOPICS_DEAD_LETTER=" + cfg.Topics.DeadLetter,
		"DISPATCHD_SHUTDOWN_TIMEOUT=5s",
		"DISPATCHD_SHUTDOWN_DRAIN_TIMEOUT=3s",
	}
	began := time.Now()
	p := start(t, env, "run")
	t.Logf("ready after %s", p.waitReady(t, began))

	// A plain Kafka client, not watermill, writes the orders.
	var inputs []kafkatest.Record
	for i := range 20 {
		key := fmt.Sprintf("order-%d", i)
		v, _ := json.Marshal(messages.OrderPlaced{OrderID: key, Pickup: messages.Point{Lat: 1, Lng: 2}, Dropoff: messages.Point{Lat: 1.1, Lng: 2.1}})
		inputs = append(inputs, kafkatest.Record{Key: key, Value: v, Headers: map[string]string{messages.HeaderType: messages.TypeOrderPlaced}})
	}
	c.Produce(t, cfg.Topics.Input, inputs)
	// And the HTTP endpoint takes one more.
	body := `{"key":"order-http","type":"order.placed","data":{"order_id":"order-http","pickup":{"lat":1,"lng":2},"dropoff":{"lat":1.2,"lng":2.2}}}`
	resp, err := http.Post("http://"+p.http+"/v1/messages", "application/json", strings.NewReader(body))
	require.NoError(t, err)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusAccepted, resp.StatusCode, string(b))

	results := c.ReadN(t, cfg.Topics.Output, len(inputs)+1, 30*time.Second)
	for _, r := range results {
		require.Equal(t, messages.TypeOrderDispatched, r.Headers[messages.HeaderType])
		require.NotEmpty(t, r.Headers[messages.HeaderCausationID])
		require.NotEmpty(t, r.Headers[messages.HeaderCorrelationID])
		require.True(t, strings.HasPrefix(r.Headers[messages.HeaderSource], cfg.Topics.Input+"/"))
	}

	code, took := p.term(t)
	t.Logf("exit %d %s after SIGTERM", code, took)
	require.Equal(t, 0, code, "a clean drain within shutdown.timeout exits 0")
	require.Contains(t, p.stderr.String(), "leaving consumer group")
}

func TestBinary_dev_serves_its_embedded_broker(t *testing.T) {
	if os.Getenv(kafkatest.EnvBrokers) != "" {
		t.Log("dev always uses its embedded broker; it runs here regardless of " + kafkatest.EnvBrokers)
	}
	broker := freeAddr(t)
	began := time.Now()
	p := start(t, []string{"DISPATCHD_KAFKA_BROKERS=" + broker}, "dev")
	t.Logf("dev ready after %s", p.waitReady(t, began))

	send := exec.Command(binary(t), "send", "--brokers", broker, "--key", "order-1", "--type", "order.placed")
	send.Stdin = strings.NewReader(`{"order_id":"order-1","pickup":{"lat":52.52,"lng":13.40},"dropoff":{"lat":52.50,"lng":13.45}}` + "\n")
	out, err := send.CombinedOutput()
	require.NoError(t, err, string(out))
	require.Contains(t, string(out), "sent topic=dispatch.requests")

	tail := exec.Command(binary(t), "tail", "--brokers", broker, "--from-beginning", "-n", "1", "--timeout", "20s")
	out, err = tail.CombinedOutput()
	require.NoError(t, err, string(out))
	line := strings.TrimSpace(string(out))
	require.Contains(t, line, "key=order-1")
	require.Contains(t, line, "type=order.dispatched")
	require.Contains(t, line, `"zone":"z+525+0134"`)

	code, took := p.term(t)
	t.Logf("exit %d %s after SIGTERM", code, took)
	require.Equal(t, 0, code)
	sc := bufio.NewScanner(strings.NewReader(p.stderr.String()))
	partitions := ""
	for sc.Scan() {
		if strings.Contains(sc.Text(), "topic ready") && strings.Contains(sc.Text(), "dispatch.requests") {
			partitions = sc.Text()
		}
	}
	require.Contains(t, partitions, `"partitions": 8`, "dev gives the input topic at least 8 partitions")
}

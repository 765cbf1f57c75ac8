package main_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"dispatchd/app/kafkatest"
	"dispatchd/cmd/internal/proc"
	"dispatchd/config"
	"dispatchd/messages"
)

// daemonEnv is the environment that points dispatchd at cfg's brokers,
// group and topics with cfg's TLS and SASL, the password as a mounted file.
func daemonEnv(t *testing.T, cfg config.Config) []string {
	t.Helper()
	k := cfg.Kafka
	env := []string{
		"DISPATCHD_KAFKA_BROKERS=" + strings.Join(k.Brokers, ","),
		"DISPATCHD_CONSUMER_GROUP=" + cfg.Consumer.Group,
		"DISPATCHD_TOPICS_INPUT=" + cfg.Topics.Input,
		"DISPATCHD_TOPICS_OUTPUT=" + cfg.Topics.Output,
		"DISPATCHD_TOPICS_DEAD_LETTER=" + cfg.Topics.DeadLetter,
		"DISPATCHD_SHUTDOWN_TIMEOUT=5s",
		"DISPATCHD_SHUTDOWN_DRAIN_TIMEOUT=3s",
		fmt.Sprintf("DISPATCHD_KAFKA_TLS_ENABLED=%t", k.TLS.Enabled),
		"DISPATCHD_KAFKA_TLS_CA_FILE=" + k.TLS.CAFile,
		"DISPATCHD_KAFKA_TLS_CERT_FILE=" + k.TLS.CertFile,
		"DISPATCHD_KAFKA_TLS_KEY_FILE=" + k.TLS.KeyFile,
		fmt.Sprintf("DISPATCHD_KAFKA_TLS_INSECURE_SKIP_VERIFY=%t", k.TLS.InsecureSkipVerify),
	}
	if k.SASL.Enabled {
		pw := filepath.Join(t.TempDir(), "kafka-password")
		require.NoError(t, os.WriteFile(pw, []byte(k.SASL.Password+"\n"), 0o600))
		env = append(env, "DISPATCHD_KAFKA_SASL_ENABLED=true", "DISPATCHD_KAFKA_SASL_MECHANISM="+k.SASL.Mechanism,
			"DISPATCHD_KAFKA_SASL_USERNAME="+k.SASL.Username, "DISPATCHD_KAFKA_SASL_PASSWORD_FILE="+pw)
	}
	return env
}

func TestBinary_run_processes_records_over_scram_and_mutual_tls(t *testing.T) {
	sec := kafkatest.StartSecured(t)
	for _, tc := range []struct {
		name    string
		cluster *kafkatest.Cluster
		mutate  func(*config.Config)
		warns   bool
	}{
		{name: "sasl_ssl_scram_sha_512", cluster: sec.SCRAM, mutate: func(*config.Config) {}},
		{name: "mutual_tls", cluster: sec.MTLS, mutate: func(*config.Config) {}},
		{name: "mutual_tls_without_verifying_the_broker", cluster: sec.MTLS, warns: true,
			mutate: func(c *config.Config) { c.Kafka.TLS.CAFile, c.Kafka.TLS.InsecureSkipVerify = "", true }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := tc.cluster
			cfg := c.Config(t, 4)
			tc.mutate(&cfg)
			cmd := command(t, daemonEnv(t, cfg), "run") // builds the binary on first use
			began := time.Now()
			p := start(t, cmd)
			t.Logf("%s (%s, %v): ready after %s", tc.name, c.Kind, c.Brokers, waitReady(t, p, began))

			var inputs []kafkatest.Record
			for i := range 10 {
				key := fmt.Sprintf("order-%d", i)
				v, _ := json.Marshal(messages.OrderPlaced{OrderID: key, Pickup: messages.Point{Lat: 1, Lng: 2}, Dropoff: messages.Point{Lat: 1.1, Lng: 2.1}})
				inputs = append(inputs, kafkatest.Record{Key: key, Value: v, Headers: map[string]string{messages.HeaderType: messages.TypeOrderPlaced}})
			}
			c.Produce(t, cfg.Topics.Input, inputs)
			for _, r := range c.ReadN(t, cfg.Topics.Output, len(inputs), 30*time.Second) {
				require.Equal(t, messages.TypeOrderDispatched, r.Headers[messages.HeaderType])
			}
			code, _ := term(t, p)
			require.Equal(t, 0, code)
			require.NotContains(t, p.Log(), kafkatest.SCRAMPassword, "the password is never logged")
			warned := false
			for _, l := range strings.Split(p.Log(), "\n") {
				warned = warned || strings.Contains(l, `"level":"warn"`) && strings.Contains(l, "insecure_skip_verify=true: broker certificates are NOT verified")
			}
			require.Equal(t, tc.warns, warned, "a loud warning exactly when certificates go unverified")
		})
	}
}

func TestBinary_run_ends_at_once_on_a_wrong_password_or_ca(t *testing.T) {
	sec := kafkatest.StartSecured(t)
	otherCA := kafkatest.NewCA(t).WriteCA(t)
	tests := []struct {
		name    string
		cluster *kafkatest.Cluster
		mutate  func(*config.Config)
		want    string
	}{
		{name: "wrong_password", cluster: sec.SCRAM, mutate: func(c *config.Config) { c.Kafka.SASL.Password = "not-the-password" },
			want: "authentication failed at broker"},
		{name: "wrong_ca_for_scram", cluster: sec.SCRAM, mutate: func(c *config.Config) { c.Kafka.TLS.CAFile = otherCA },
			want: "TLS handshake with broker"},
		{name: "wrong_ca_for_mutual_tls", cluster: sec.MTLS, mutate: func(c *config.Config) { c.Kafka.TLS.CAFile = otherCA },
			want: "TLS handshake with broker"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := tt.cluster.Config(t, 1)
			tt.mutate(&cfg)
			cmd := command(t, daemonEnv(t, cfg), "run")
			began := time.Now()
			p := start(t, cmd)
			require.NoError(t, p.Wait(30*time.Second), "a refused login or handshake ends start-up within 30s")
			took := p.ExitedAt().Sub(began)
			line := oneErrorLine(t, p.Log())
			t.Logf("%s: exit %d after %s: %s", tt.name, p.ExitCode(), took.Round(time.Millisecond), line)
			require.Equal(t, 1, p.ExitCode())
			require.Contains(t, line, tt.want)
			require.NotContains(t, p.Log(), "kafka not reachable; retrying", "not a retry loop")
			require.NotContains(t, p.Log(), "not-the-password")
		})
	}
}

func TestBinary_run_waits_for_brokers_that_are_down_then_exits_1_in_one_line(t *testing.T) {
	down, err := proc.FreeAddr()
	require.NoError(t, err)
	cmd := command(t, []string{"DISPATCHD_KAFKA_BROKERS=" + down, "DISPATCHD_KAFKA_CONNECT_TIMEOUT=3s"}, "run")
	began := time.Now()
	p := start(t, cmd)
	var notReady int
	require.NoError(t, proc.WaitFor(t.Context(), 10*time.Second, 100*time.Millisecond, func() bool {
		if resp, err := p.Get("/readyz"); err == nil {
			resp.Body.Close()
			require.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
			notReady++
		}
		return p.ExitCode() != -1
	}))
	took := p.ExitedAt().Sub(began)
	line := oneErrorLine(t, p.Log())
	retries := strings.Count(p.Log(), "kafka not reachable; retrying")
	t.Logf("exit %d after %s, %d retry lines, /readyz 503 %d times: %s", p.ExitCode(), took.Round(time.Millisecond), retries, notReady, line)
	require.Equal(t, 1, p.ExitCode())
	require.GreaterOrEqual(t, took, 3*time.Second, "kept trying for kafka.connect_timeout")
	require.Less(t, took, 8*time.Second)
	require.Positive(t, notReady, "HTTP answers while it waits")
	require.GreaterOrEqual(t, retries, 3)
	require.Contains(t, line, "no broker answered within kafka.connect_timeout (3s")
	require.Contains(t, line, down+": connect: connection refused")
}

func TestBinary_run_starts_once_a_late_broker_comes_up(t *testing.T) {
	addr, err := proc.FreeAddr()
	require.NoError(t, err)
	cmd := command(t, []string{"DISPATCHD_KAFKA_BROKERS=" + addr}, "run")
	began := time.Now()
	p := start(t, cmd)
	require.NoError(t, proc.WaitFor(t.Context(), 10*time.Second, 50*time.Millisecond, func() bool {
		return strings.Count(p.Log(), "kafka not reachable; retrying") >= 2
	}), p.Log())
	up := time.Since(began)
	kafkatest.StartEmbeddedAt(t, addr)
	ready := waitReady(t, p, began)
	t.Logf("broker up after %s, dispatchd ready after %s", up, ready)
	require.Contains(t, p.Log(), "kafka answers")
	code, _ := term(t, p)
	require.Equal(t, 0, code)
}

func TestBinary_run_stops_at_once_on_SIGTERM_while_waiting_for_brokers(t *testing.T) {
	down, err := proc.FreeAddr()
	require.NoError(t, err)
	p := start(t, command(t, []string{"DISPATCHD_KAFKA_BROKERS=" + down}, "run"))
	require.NoError(t, proc.WaitFor(t.Context(), 10*time.Second, 50*time.Millisecond, func() bool {
		return strings.Contains(p.Log(), "kafka not reachable; retrying")
	}), p.Log())
	code, took := term(t, p)
	t.Logf("exit %d %s after SIGTERM", code, took)
	require.Equal(t, 0, code, "stopping was asked for, and nothing had started")
	require.Less(t, took, 3*time.Second, "not after kafka.connect_timeout (1m)")
	require.Contains(t, p.Log(), "signal received during start-up")
}

// oneErrorLine checks that the output holds exactly one "dispatchd: " line,
// and no stack trace or fx/dig chain anywhere, and returns the line.
func oneErrorLine(t *testing.T, log string) string {
	t.Helper()
	var lines []string
	for _, l := range strings.Split(log, "\n") {
		if strings.HasPrefix(l, "dispatchd: ") {
			lines = append(lines, l)
		}
	}
	require.Len(t, lines, 1, "one line says why:\n%s", log)
	for _, bad := range []string{"stacktrace", "errorVerbose", "goroutine ", "go.uber.org/dig", "could not build arguments", "received non-nil error"} {
		require.NotContains(t, log, bad)
	}
	require.Less(t, len(lines[0]), 400, "a short line")
	return lines[0]
}

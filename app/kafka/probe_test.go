package kafka_test

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"dispatchd/app/kafka"
	"dispatchd/app/kafkatest"
	"dispatchd/config"
)

// saramaFor is the daemon's client config for c's config after mutate.
func saramaFor(t *testing.T, c *kafkatest.Cluster, mutate func(*config.Config)) (config.Config, *kafka.ConnectError, error) {
	t.Helper()
	cfg := c.Config(t, 1)
	mutate(&cfg)
	sc, err := kafka.SaramaConfig(cfg)
	require.NoError(t, err)
	err = kafka.Probe(cfg.Kafka.Brokers[0], sc)
	ce, _ := err.(*kafka.ConnectError)
	return cfg, ce, err
}

func TestProbe_tells_a_refused_login_and_a_failed_handshake_from_a_broker_that_is_down(t *testing.T) {
	sec := kafkatest.StartSecured(t)
	plain := kafkatest.Start(t)
	down, err := freeAddr()
	require.NoError(t, err)
	otherCA := kafkatest.NewCA(t).WriteCA(t)
	tests := []struct {
		name    string
		cluster *kafkatest.Cluster
		mutate  func(*config.Config)
		want    kafka.Failure // ignored when ok
		ok      bool
		wantMsg []string
	}{
		{name: "scram_over_tls", cluster: sec.SCRAM, mutate: func(*config.Config) {}, ok: true},
		{name: "mutual_tls", cluster: sec.MTLS, mutate: func(*config.Config) {}, ok: true},
		{name: "wrong_password", cluster: sec.SCRAM, mutate: func(c *config.Config) { c.Kafka.SASL.Password = "wrong" },
			want: kafka.AuthFailed, wantMsg: []string{"authentication failed at broker", `SCRAM-SHA-512 as "dispatchd"`}},
		{name: "unknown_user", cluster: sec.SCRAM, mutate: func(c *config.Config) { c.Kafka.SASL.Username = "nobody" },
			want: kafka.AuthFailed, wantMsg: []string{"authentication failed", `"nobody"`}},
		{name: "wrong_mechanism", cluster: sec.SCRAM, mutate: func(c *config.Config) { c.Kafka.SASL.Mechanism = config.MechanismSCRAMSHA256 },
			want: kafka.AuthFailed, wantMsg: []string{"authentication failed", "SCRAM-SHA-256"}},
		{name: "wrong_ca", cluster: sec.SCRAM, mutate: func(c *config.Config) { c.Kafka.TLS.CAFile = otherCA },
			want: kafka.TLSFailed, wantMsg: []string{"TLS handshake with broker", "kafka.tls.ca_file"}},
		{name: "system_roots_do_not_know_a_private_ca", cluster: sec.MTLS, mutate: func(c *config.Config) { c.Kafka.TLS.CAFile = "" },
			want: kafka.TLSFailed, wantMsg: []string{"certificate"}},
		{name: "wrong_server_name", cluster: sec.MTLS, mutate: func(c *config.Config) { c.Kafka.TLS.ServerName = "kafka.example.com" },
			want: kafka.TLSFailed, wantMsg: []string{"kafka.tls.server_name"}},
		{name: "no_client_certificate", cluster: sec.MTLS, mutate: func(c *config.Config) { c.Kafka.TLS.CertFile, c.Kafka.TLS.KeyFile = "", "" },
			want: kafka.TLSFailed, wantMsg: []string{"TLS handshake", "kafka.tls.cert_file"}},
		{name: "nothing_listening", cluster: plain, mutate: func(c *config.Config) { c.Kafka.Brokers = []string{down} },
			want: kafka.Unreachable, wantMsg: []string{down + ": connect: connection refused"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			began := time.Now()
			_, ce, err := saramaFor(t, tt.cluster, tt.mutate)
			t.Logf("%s after %s: %v", tt.name, time.Since(began).Round(time.Millisecond), err)
			if tt.ok {
				require.NoError(t, err)
				return
			}
			require.NotNil(t, ce, "a *ConnectError, got %v", err)
			require.Equal(t, tt.want, ce.Failure, err.Error())
			for _, w := range tt.wantMsg {
				require.Contains(t, err.Error(), w)
			}
			require.NotContains(t, err.Error(), "\n", "one line")
			require.NotContains(t, err.Error(), kafkatest.SCRAMPassword)
			require.Less(t, time.Since(began), 15*time.Second)
		})
	}
}

func TestWaitForCluster_retries_a_broker_that_is_down_then_gives_up_in_one_line(t *testing.T) {
	down, err := freeAddr()
	require.NoError(t, err)
	sc, err := kafka.SaramaConfig(config.Default())
	require.NoError(t, err)
	core, logs := observer.New(zap.InfoLevel)
	began := time.Now()
	err = kafka.WaitForCluster(t.Context(), []string{down}, sc, 2*time.Second, zap.New(core))
	took := time.Since(began)
	require.ErrorContains(t, err, "no broker answered within kafka.connect_timeout (2s")
	require.ErrorContains(t, err, down+": connect: connection refused")
	require.NotContains(t, err.Error(), "\n")
	require.GreaterOrEqual(t, took, 2*time.Second)
	require.Less(t, took, 4*time.Second)
	lines := logs.FilterMessage("kafka not reachable; retrying").All()
	t.Logf("%d retry lines in %s", len(lines), took)
	require.GreaterOrEqual(t, len(lines), 3, "250ms, 500ms, 1s, then the rest of the 2s")
	require.LessOrEqual(t, len(lines), 6, "a capped backoff, not a busy loop")
	for _, l := range lines {
		require.Contains(t, l.ContextMap()["cause"], down)
	}
}

func TestWaitForCluster_fails_at_once_on_a_wrong_password(t *testing.T) {
	sec := kafkatest.StartSecured(t)
	cfg := sec.SCRAM.Config(t, 1)
	cfg.Kafka.SASL.Password = "wrong"
	sc, err := kafka.SaramaConfig(cfg)
	require.NoError(t, err)
	began := time.Now()
	err = kafka.WaitForCluster(t.Context(), cfg.Kafka.Brokers, sc, time.Minute, zap.NewNop())
	require.ErrorContains(t, err, "authentication failed")
	require.Less(t, time.Since(began), 15*time.Second, "no retries for a refused login")
}

func TestWaitForCluster_gives_up_when_its_context_ends(t *testing.T) {
	down, err := freeAddr()
	require.NoError(t, err)
	sc, err := kafka.SaramaConfig(config.Default())
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	err = kafka.WaitForCluster(ctx, []string{down}, sc, time.Minute, zap.NewNop())
	require.ErrorIs(t, err, context.DeadlineExceeded)
}

// freeAddr is a loopback address nothing listens on.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

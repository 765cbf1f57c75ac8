package kafkatest

import (
	"crypto/tls"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kfake"

	"dispatchd/config"
)

// The real cluster's secured listeners, as the Taskfile's test:kafka sets
// them from deployments/kafka/kafka.sh.
const (
	// EnvSASLBrokers names the SASL_SSL listener with SCRAM-SHA-512.
	EnvSASLBrokers = "DISPATCHD_TEST_SASL_BROKERS"
	// EnvTLSBrokers names the SSL listener that requires a client certificate.
	EnvTLSBrokers = "DISPATCHD_TEST_TLS_BROKERS"
	// EnvTLSDir is the directory holding ca.pem, client.pem and client-key.pem.
	EnvTLSDir = "DISPATCHD_TEST_TLS_DIR"
)

// The SCRAM user the launcher creates, and the embedded broker too.
const (
	SCRAMUser     = "dispatchd"
	SCRAMPassword = "dispatchd-secret"
)

// Secured is one cluster reached over its secured listeners.
type Secured struct {
	// SCRAM is the SASL_SSL listener, as SCRAMUser with SCRAM-SHA-512.
	SCRAM *Cluster
	// MTLS is the SSL listener, with the client certificate of TLSDir.
	MTLS *Cluster
	// TLSDir holds ca.pem, client.pem and client-key.pem.
	TLSDir string
}

// StartSecured returns the secured listeners of the real cluster when
// EnvSASLBrokers, EnvTLSBrokers and EnvTLSDir are set; otherwise two
// embedded brokers, one with SCRAM over TLS and one with mutual TLS, signed
// by a CA made for the test. With REQUIRE_REAL_KAFKA=1 a missing variable
// fails the test.
func StartSecured(t testing.TB) *Secured {
	t.Helper()
	env := map[string]string{}
	var missing []string
	for _, name := range []string{EnvSASLBrokers, EnvTLSBrokers, EnvTLSDir} {
		if env[name] = strings.TrimSpace(os.Getenv(name)); env[name] == "" {
			missing = append(missing, name)
		}
	}
	if len(missing) == 0 {
		return secured(env[EnvSASLBrokers], env[EnvTLSBrokers], env[EnvTLSDir], "external")
	}
	if os.Getenv(EnvRequireReal) == "1" {
		t.Fatalf("%s=1 but %s not set: refusing to fall back to the embedded broker "+
			"(go tool task test:kafka sets them from the launcher)", EnvRequireReal, strings.Join(missing, ", "))
	}
	ca := NewCA(t)
	dir := ca.WriteDir(t)
	server := &tls.Config{Certificates: []tls.Certificate{ca.ServerCert(t)}, MinVersion: tls.VersionTLS12}
	mutual := server.Clone()
	mutual.ClientAuth, mutual.ClientCAs = tls.RequireAndVerifyClientCert, ca.Pool()
	scram := startKfake(t, kfake.EnableSASL(), kfake.Superuser(config.MechanismSCRAMSHA512, SCRAMUser, SCRAMPassword), kfake.TLS(server))
	return secured(scram, startKfake(t, kfake.TLS(mutual)), dir, "embedded")
}

// secured describes the two listeners at the given addresses.
func secured(scramAddrs, mtlsAddrs, dir, kind string) *Secured {
	version := config.Default().Kafka.Version
	ca := filepath.Join(dir, CAFile)
	return &Secured{
		SCRAM: &Cluster{Brokers: strings.Split(scramAddrs, ","), Kind: kind, Version: version,
			SASL: config.SASL{Enabled: true, Mechanism: config.MechanismSCRAMSHA512, Username: SCRAMUser, Password: SCRAMPassword},
			TLS:  config.TLS{Enabled: true, CAFile: ca}},
		MTLS: &Cluster{Brokers: strings.Split(mtlsAddrs, ","), Kind: kind, Version: version,
			TLS: config.TLS{Enabled: true, CAFile: ca, CertFile: filepath.Join(dir, ClientFile), KeyFile: filepath.Join(dir, ClientKeyFile)}},
		TLSDir: dir,
	}
}

// startKfake starts a one-broker kfake cluster with opts, closed at cleanup,
// and returns its address.
func startKfake(t testing.TB, opts ...kfake.Opt) string {
	t.Helper()
	c, err := kfake.NewCluster(append([]kfake.Opt{kfake.NumBrokers(1)}, opts...)...)
	require.NoError(t, err, "start embedded broker")
	t.Cleanup(c.Close)
	addrs := c.ListenAddrs()
	require.Len(t, addrs, 1, fmt.Sprintf("listen addresses %v", addrs))
	return addrs[0]
}

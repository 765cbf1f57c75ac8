// Package security sets a sarama client's TLS and SASL from dispatchd's
// config: the daemon's clients and the tests' own use it alike.
package security

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"

	"github.com/IBM/sarama"
	"github.com/xdg-go/scram"

	"dispatchd/config"
)

// Apply sets sc's TLS and SASL from k, reading the secret, CA, certificate
// and key files it names now, so a missing or unreadable one fails the start
// with the key that names it.
func Apply(sc *sarama.Config, k config.Kafka) error {
	if k.TLS.Enabled {
		tc, err := tlsConfig(k.TLS)
		if err != nil {
			return err
		}
		sc.Net.TLS.Enable = true
		sc.Net.TLS.Config = tc
	}
	return saslConfig(sc, k.SASL)
}

// tlsConfig verifies brokers against ca_file (or the system's roots) and
// presents the client certificate when one is configured.
func tlsConfig(t config.TLS) (*tls.Config, error) {
	tc := &tls.Config{
		MinVersion: tls.VersionTLS12,
		// Empty leaves sarama to use each broker's host.
		ServerName: t.ServerName,
		// Validate refuses it without TLS; the daemon warns at every start.
		InsecureSkipVerify: t.InsecureSkipVerify, //nolint:gosec // the operator asked for it, and is warned
	}
	if t.CAFile != "" {
		pem, err := os.ReadFile(t.CAFile)
		if err != nil {
			return nil, fmt.Errorf("kafka.tls.ca_file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("kafka.tls.ca_file: %s holds no PEM certificate", t.CAFile)
		}
		tc.RootCAs = pool
	}
	if t.CertFile != "" || t.KeyFile != "" {
		cert, err := tls.LoadX509KeyPair(t.CertFile, t.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("kafka.tls.cert_file, kafka.tls.key_file: %w", err)
		}
		tc.Certificates = []tls.Certificate{cert}
	}
	return tc, nil
}

// saslConfig sets the mechanism and its credentials.
func saslConfig(sc *sarama.Config, s config.SASL) error {
	if !s.Enabled {
		return nil
	}
	sc.Net.SASL.Enable = true
	mech := s.EffectiveMechanism()
	if mech == config.MechanismOAuthBearer {
		secret, err := s.OAuth.ReadClientSecret()
		if err != nil {
			return err
		}
		sc.Net.SASL.Mechanism = sarama.SASLTypeOAuth
		sc.Net.SASL.TokenProvider = NewTokenProvider(s.OAuth, secret)
		return nil
	}
	password, err := s.ReadPassword()
	if err != nil {
		return err
	}
	sc.Net.SASL.User, sc.Net.SASL.Password = s.Username, password
	switch mech {
	case config.MechanismPlain:
		sc.Net.SASL.Mechanism = sarama.SASLTypePlaintext
	case config.MechanismSCRAMSHA256:
		sc.Net.SASL.Mechanism = sarama.SASLTypeSCRAMSHA256
		sc.Net.SASL.SCRAMClientGeneratorFunc = func() sarama.SCRAMClient { return &scramClient{hash: scram.SHA256} }
	case config.MechanismSCRAMSHA512:
		sc.Net.SASL.Mechanism = sarama.SASLTypeSCRAMSHA512
		sc.Net.SASL.SCRAMClientGeneratorFunc = func() sarama.SCRAMClient { return &scramClient{hash: scram.SHA512} }
	default:
		return fmt.Errorf("kafka.sasl.mechanism %q is not supported", mech)
	}
	return nil
}

// scramClient is sarama's SCRAMClient over xdg-go/scram: one conversation
// per connection, which sarama makes with SCRAMClientGeneratorFunc.
type scramClient struct {
	hash scram.HashGeneratorFcn
	conv *scram.ClientConversation
}

// Begin starts a conversation for user.
func (c *scramClient) Begin(user, password, authzID string) error {
	client, err := c.hash.NewClient(user, password, authzID)
	if err != nil {
		return fmt.Errorf("scram: %w", err)
	}
	c.conv = client.NewConversation()
	return nil
}

// Step answers the server's challenge; it fails when the server's proof
// does not verify, so a broker that does not know the password is refused.
func (c *scramClient) Step(challenge string) (string, error) { return c.conv.Step(challenge) }

// Done reports whether the conversation is over.
func (c *scramClient) Done() bool { return c.conv.Done() }

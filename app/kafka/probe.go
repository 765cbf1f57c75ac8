package kafka

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"time"

	"github.com/IBM/sarama"

	"dispatchd/app/kafka/security"
)

// Failure is why a broker could not be used.
type Failure int

// Failures, from the only one worth waiting out to the ones that are not.
const (
	// Unreachable: no connection, or it broke; a broker that is down or
	// restarting, which waiting may fix.
	Unreachable Failure = iota
	// TLSFailed: the TLS handshake failed; the same certificates will fail again.
	TLSFailed
	// AuthFailed: the broker or the token endpoint refused the credentials.
	AuthFailed
)

// ConnectError is one broker that could not be used, and why.
type ConnectError struct {
	// Failure classifies Err.
	Failure Failure
	// Addr is the broker's host:port.
	Addr string
	// Err is the cause.
	Err error
	// Hint says what to check, or is empty.
	Hint string
}

func (e *ConnectError) Error() string {
	var msg string
	switch e.Failure {
	case TLSFailed:
		msg = fmt.Sprintf("TLS handshake with broker %s failed: %v", e.Addr, e.Err)
	case AuthFailed:
		msg = fmt.Sprintf("authentication failed at broker %s: %v", e.Addr, e.Err)
	default:
		msg = fmt.Sprintf("%s: %v", e.Addr, short(e.Err))
	}
	if e.Hint != "" {
		msg += " (" + e.Hint + ")"
	}
	return msg
}

// Unwrap lets errors.Is and errors.As see the cause.
func (e *ConnectError) Unwrap() error { return e.Err }

// probeTimeout bounds each step of a probe, so a blackholed address costs
// one attempt a few seconds, not sarama's 30.
const probeTimeout = 10 * time.Second

// Probe checks that the broker at addr can be used with sc: it connects,
// completes TLS and asks for the API versions without SASL, then again with
// SASL. The steps tell a refused login from a broker that is going away:
// both drop the connection on some brokers (kfake), but only the first
// still answers without credentials. Its error is a *ConnectError.
func Probe(addr string, sc *sarama.Config) error {
	withSASL := *sc
	withSASL.Net.DialTimeout = min(sc.Net.DialTimeout, probeTimeout)
	withSASL.Net.ReadTimeout = min(sc.Net.ReadTimeout, probeTimeout)
	withSASL.Net.WriteTimeout = min(sc.Net.WriteTimeout, probeTimeout)
	noSASL := withSASL
	noSASL.Net.SASL.Enable = false
	// Only exchange's own ApiVersions: before SASL, Kafka takes one and then
	// only the SASL handshake, and closes the connection on a second.
	noSASL.ApiVersionsRequest = false
	if err := exchange(addr, &noSASL); err != nil {
		return transportError(addr, err, sc.Net.TLS.Enable)
	}
	if !sc.Net.SASL.Enable {
		return nil
	}
	err := exchange(addr, &withSASL)
	if err == nil {
		return nil
	}
	var te *security.TokenError
	if errors.As(err, &te) && !te.Rejected() {
		return &ConnectError{Failure: Unreachable, Addr: addr, Err: err}
	}
	if !isConnLoss(err) || exchange(addr, &noSASL) == nil {
		return &ConnectError{Failure: AuthFailed, Addr: addr, Err: authCause(err, sc)}
	}
	return &ConnectError{Failure: Unreachable, Addr: addr, Err: err}
}

// exchange opens a connection to addr and asks for the API versions.
func exchange(addr string, sc *sarama.Config) error {
	b := sarama.NewBroker(addr)
	if err := b.Open(sc); err != nil {
		return err
	}
	defer func() { _ = b.Close() }()
	if ok, err := b.Connected(); err != nil || !ok {
		return cmpOr(err, errors.New("not connected"))
	}
	_, err := b.ApiVersions(&sarama.ApiVersionsRequest{})
	return err
}

// transportError classifies a failure before any credentials were sent.
func transportError(addr string, err error, tlsOn bool) *ConnectError {
	ce := &ConnectError{Failure: Unreachable, Addr: addr, Err: err}
	var (
		unknownCA x509.UnknownAuthorityError
		hostname  x509.HostnameError
		invalid   x509.CertificateInvalidError
		verify    *tls.CertificateVerificationError
		record    tls.RecordHeaderError
		op        *net.OpError
	)
	switch {
	case errors.As(err, &unknownCA):
		ce.Failure, ce.Hint = TLSFailed, "check kafka.tls.ca_file: it must hold the CA that signed the broker's certificate"
	case errors.As(err, &hostname):
		ce.Failure, ce.Hint = TLSFailed, "check kafka.brokers, or set kafka.tls.server_name to a name the certificate carries"
	case errors.As(err, &invalid), errors.As(err, &verify):
		ce.Failure = TLSFailed
	case errors.As(err, &record):
		ce.Failure, ce.Hint = TLSFailed, "the broker does not speak TLS on this port: check kafka.brokers and kafka.tls.enabled"
	case errors.As(err, &op) && op.Op == "remote error":
		ce.Failure, ce.Hint = TLSFailed, "the broker refused this client: check kafka.tls.cert_file and kafka.tls.key_file"
	case !tlsOn && isConnLoss(err):
		ce.Hint = "if this is a TLS listener, set kafka.tls.enabled=true"
	}
	return ce
}

// authCause is err with the mechanism and user it was refused for.
func authCause(err error, sc *sarama.Config) error {
	if sc.Net.SASL.Mechanism == sarama.SASLTypeOAuth {
		return fmt.Errorf("%s: %w", sc.Net.SASL.Mechanism, err)
	}
	if isConnLoss(err) {
		err = fmt.Errorf("the broker closed the connection during the SASL exchange (%w)", err)
	}
	return fmt.Errorf("%s as %q: %w", sc.Net.SASL.Mechanism, sc.Net.SASL.User, err)
}

// isConnLoss reports whether err is the connection closing under the client.
func isConnLoss(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, net.ErrClosed)
}

// short drops the "dial tcp host:port:" that repeats the address.
func short(err error) error {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" && op.Err != nil {
		return op.Err
	}
	return err
}

func cmpOr(err, fallback error) error {
	if err != nil {
		return err
	}
	return fallback
}

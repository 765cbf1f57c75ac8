package kafka

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/IBM/sarama"
	"go.uber.org/zap"
)

// Backoff between rounds of WaitForCluster: short at first, for a broker
// that is a moment from answering, and capped so one that comes back is
// used within a few seconds.
const (
	firstBackoff = 250 * time.Millisecond
	maxBackoff   = 5 * time.Second
)

// WaitForCluster probes the bootstrap brokers, in order, until one answers.
// While none does it tries again with a capped backoff, logging one line per
// round, for up to timeout. A failed TLS handshake or authentication ends
// the wait at once: the same certificates and credentials fail again.
func WaitForCluster(ctx context.Context, brokers []string, sc *sarama.Config, timeout time.Duration, log *zap.Logger) error {
	deadline := time.Now().Add(timeout)
	backoff := firstBackoff
	for round := 1; ; round++ {
		causes := make([]string, 0, len(brokers))
		for _, addr := range brokers {
			err := Probe(addr, sc)
			if err == nil {
				if round > 1 {
					log.Info("kafka answers", zap.String("broker", addr), zap.Int("attempts", round))
				}
				return nil
			}
			var ce *ConnectError
			if errors.As(err, &ce) && ce.Failure != Unreachable {
				return err
			}
			causes = append(causes, err.Error())
		}
		cause := strings.Join(causes, "; ")
		left := time.Until(deadline)
		if left <= 0 {
			return fmt.Errorf("no broker answered within kafka.connect_timeout (%s, %d attempts): %s", timeout, round, cause)
		}
		wait := min(backoff, left)
		log.Warn("kafka not reachable; retrying", zap.String("cause", cause), zap.Int("attempt", round), zap.Duration("retry_in", wait))
		select {
		case <-ctx.Done():
			return fmt.Errorf("gave up waiting for kafka (%w): %s", ctx.Err(), cause)
		case <-time.After(wait):
		}
		backoff = min(2*backoff, maxBackoff)
	}
}

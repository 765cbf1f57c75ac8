// Package devbroker runs the embedded, in-process Kafka broker (franz-go's
// kfake) that `dispatchd dev` and the fast tests use. It is never started by
// `dispatchd run`.
package devbroker

import (
	"fmt"
	"net"

	"github.com/twmb/franz-go/pkg/kfake"
	"go.uber.org/zap"
)

// MinInputPartitions is the fewest partitions the dev broker gives the input
// topic, so per-partition order and rebalances are visible locally.
const MinInputPartitions = 8

// Topic is a topic to create at start.
type Topic struct {
	// Name of the topic.
	Name string
	// Partitions it gets.
	Partitions int32
}

// Broker is a running embedded broker.
type Broker struct {
	cluster *kfake.Cluster
	addr    string
}

// Start starts a one-node broker listening on addr (host:port; port 0 picks
// a free one) with the given topics already created.
func Start(addr string, topics []Topic, log *zap.Logger) (*Broker, error) {
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return nil, fmt.Errorf("dev broker address %q: %w", addr, err)
	}
	opts := []kfake.Opt{
		kfake.NumBrokers(1),
		kfake.ClusterID("dispatchd-dev"),
		// kfake listens on 127.0.0.1:<port>; this keeps the host that was asked for.
		kfake.ListenFn(func(network, _ string) (net.Listener, error) { return net.Listen(network, addr) }),
		kfake.WithLogger(zapLogger{log}),
	}
	for _, t := range topics {
		opts = append(opts, kfake.SeedTopics(t.Partitions, t.Name))
	}
	c, err := kfake.NewCluster(opts...)
	if err != nil {
		return nil, fmt.Errorf("start dev broker on %s: %w", addr, err)
	}
	b := &Broker{cluster: c, addr: c.ListenAddrs()[0]}
	log.Info("embedded kafka broker listening", zap.String("addr", b.addr), zap.Int("topics", len(topics)))
	return b, nil
}

// Addr is the broker's host:port.
func (b *Broker) Addr() string { return b.addr }

// Close stops the broker; everything it held is gone.
func (b *Broker) Close() { b.cluster.Close() }

// zapLogger sends kfake's warnings and errors to zap.
type zapLogger struct{ log *zap.Logger }

func (z zapLogger) Logf(l kfake.LogLevel, format string, args ...any) {
	switch l {
	case kfake.LogLevelError:
		z.log.Error(fmt.Sprintf(format, args...))
	case kfake.LogLevelWarn:
		z.log.Warn(fmt.Sprintf(format, args...))
	}
}

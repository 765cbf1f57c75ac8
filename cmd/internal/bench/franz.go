package bench

import (
	"context"
	"errors"
	"fmt"

	"github.com/twmb/franz-go/pkg/kgo"
)

// runFranz is the loop a Go team writes with franz-go: poll, produce the
// poll's results and wait for them, mark the polled records, poll again. The
// client's defaults otherwise: an idempotent producer with acks=all, the
// marks committed by its autocommit. Rebalances wait while a poll is being
// worked on, so nothing is marked for a partition the member no longer owns.
func runFranz(ctx context.Context, t Target) error {
	cl, err := kgo.NewClient(
		kgo.SeedBrokers(t.Brokers...),
		kgo.ConsumerGroup(t.Group),
		kgo.ConsumeTopics(t.Input),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.DefaultProduceTopic(t.Output),
		kgo.AutoCommitMarks(),
		kgo.BlockRebalanceOnPoll(),
	)
	if err != nil {
		return err
	}
	defer cl.Close()
	for {
		done, err := franzPoll(ctx, cl)
		if done || err != nil {
			return err
		}
	}
}

// franzPoll works through one poll; done is true once ctx has ended.
func franzPoll(ctx context.Context, cl *kgo.Client) (done bool, err error) {
	fs := cl.PollFetches(ctx)
	defer cl.AllowRebalance()
	if ctx.Err() != nil || fs.IsClientClosed() {
		return true, nil
	}
	if errs := fs.Errors(); len(errs) > 0 {
		e := errs[0]
		return false, fmt.Errorf("fetch %s/%d: %w", e.Topic, e.Partition, e.Err)
	}
	out := make([]*kgo.Record, 0, fs.NumRecords())
	var last []*kgo.Record
	fs.EachPartition(func(p kgo.FetchTopicPartition) {
		for _, r := range p.Records {
			out = append(out, &kgo.Record{Key: r.Key, Value: r.Value})
		}
		if n := len(p.Records); n > 0 {
			last = append(last, p.Records[n-1])
		}
	})
	if err := cl.ProduceSync(ctx, out...).FirstErr(); err != nil {
		if errors.Is(err, context.Canceled) && ctx.Err() != nil {
			return true, nil
		}
		return false, fmt.Errorf("produce: %w", err)
	}
	cl.MarkCommitRecords(last...)
	return false, nil
}

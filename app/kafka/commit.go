package kafka

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/IBM/sarama"
)

// commitBook is, per partition, the next offset marked for commit and the
// last one the broker confirmed. sarama's Commit returns nothing, and some
// refusals (the coordinator moved) it does not even report, so a commit
// counts only once an offset fetch reads it back from the coordinator.
type commitBook struct {
	client sarama.Client // nil: commits are taken on trust (tests without a client)
	group  string

	mu           sync.Mutex
	marked       map[partitionKey]int64
	confirmed    map[partitionKey]int64
	failing      bool      // the last check failed; its log line was written
	waitingSince time.Time // since when some mark has waited for a confirmation; zero when none does
}

func newCommitBook(client sarama.Client, group string) *commitBook {
	return &commitBook{client: client, group: group, marked: map[partitionKey]int64{}, confirmed: map[partitionKey]int64{}}
}

// mark records next as the offset to commit for topic's partition.
func (b *commitBook) mark(topic string, partition int32, next int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.marked[partitionKey{topic, partition}] = next
	if b.waitingSince.IsZero() {
		b.waitingSince = time.Now()
	}
}

// forget drops a partition this member no longer owns.
func (b *commitBook) forget(topic string, partition int32) {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.marked, partitionKey{topic, partition})
	delete(b.confirmed, partitionKey{topic, partition})
}

// pending is what was marked and not yet confirmed.
func (b *commitBook) pending() map[partitionKey]int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := map[partitionKey]int64{}
	for k, next := range b.marked {
		if next > b.confirmed[k] {
			out[k] = next
		}
	}
	return out
}

// check reads the committed offsets of want back from the coordinator and
// returns those that reached their mark; err is why the others did not.
// want is what pending returned at asked.
func (b *commitBook) check(want map[partitionKey]int64, asked time.Time) (map[partitionKey]int64, error) {
	if b.client == nil {
		b.confirm(want, asked)
		return want, nil
	}
	parts := map[string][]int32{}
	for k := range want {
		parts[k.topic] = append(parts[k.topic], k.partition)
	}
	coord, err := b.client.Coordinator(b.group)
	if err != nil {
		return nil, fmt.Errorf("find the group coordinator: %w", err)
	}
	resp, err := coord.FetchOffset(sarama.NewOffsetFetchRequest(b.client.Config().Version, b.group, parts))
	if err != nil {
		_ = b.client.RefreshCoordinator(b.group)
		return nil, fmt.Errorf("read back committed offsets: %w", err)
	}
	got := map[partitionKey]int64{}
	var errs []error
	for k, next := range want {
		switch blk := resp.GetBlock(k.topic, k.partition); {
		case blk == nil:
			errs = append(errs, fmt.Errorf("%s/%d: no committed offset returned", k.topic, k.partition))
		case blk.Err != sarama.ErrNoError:
			errs = append(errs, fmt.Errorf("%s/%d: %w", k.topic, k.partition, blk.Err))
		case blk.Offset < next:
			errs = append(errs, fmt.Errorf("%s/%d: committed %d, not %d", k.topic, k.partition, blk.Offset, next))
		default:
			got[k] = blk.Offset
		}
	}
	b.confirm(got, asked)
	return got, errors.Join(errs...)
}

// confirm records what the coordinator returned for a check asked at asked:
// what is still unconfirmed has waited at most since then.
func (b *commitBook) confirm(got map[partitionKey]int64, asked time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for k, off := range got {
		b.confirmed[k] = max(b.confirmed[k], off)
	}
	b.waitingSince = time.Time{}
	if b.waitingLocked() {
		b.waitingSince = asked
	}
}

// waitingLocked reports whether some mark is not confirmed yet.
func (b *commitBook) waitingLocked() bool {
	for k, next := range b.marked {
		if next > b.confirmed[k] {
			return true
		}
	}
	return false
}

// unconfirmedFor is how long some mark has waited for the coordinator to
// confirm it; 0 when none waits.
func (b *commitBook) unconfirmedFor(now time.Time) time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.waitingLocked() { // confirmed, or forgotten with a revoked partition
		b.waitingSince = time.Time{}
	}
	if b.waitingSince.IsZero() {
		return 0
	}
	return now.Sub(b.waitingSince)
}

// transition records whether the last check failed, and reports whether
// that changed, so a commit outage logs once when it begins and once when
// it ends, not every commit interval.
func (b *commitBook) transition(failing bool) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	changed := b.failing != failing
	b.failing = failing
	return changed
}

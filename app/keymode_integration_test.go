package app_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/stretchr/testify/require"
	"go.uber.org/fx"

	"dispatchd/app/kafkatest"
	"dispatchd/handlers"
	"dispatchd/messages"
)

// tracker is a handler that records how many messages run at once, overall
// and per key.
type tracker struct {
	running, peak atomic.Int64
	mu            sync.Mutex
	busy          map[string]bool
	overlaps      int
}

func (tr *tracker) handle(ctx context.Context, in messages.Envelope, work func() error) (messages.Result, error) {
	tr.mu.Lock()
	if tr.busy[in.Key] {
		tr.overlaps++
	}
	tr.busy[in.Key] = true
	tr.mu.Unlock()
	n := tr.running.Add(1)
	for p := tr.peak.Load(); n > p && !tr.peak.CompareAndSwap(p, n); p = tr.peak.Load() {
	}
	err := work()
	tr.running.Add(-1)
	tr.mu.Lock()
	tr.busy[in.Key] = false
	tr.mu.Unlock()
	return messages.Result{Type: "test.done", Payload: in.Payload}, err
}

func TestDaemon_ordering_modes_on_one_partition(t *testing.T) {
	cases := []struct {
		name        string
		ordering    string
		maxInFlight int
		wantPeak    func(t *testing.T, peak int64)
	}{
		{"partition_runs_one_at_a_time", "partition", 16, func(t *testing.T, peak int64) {
			require.EqualValues(t, 1, peak)
		}},
		{"key_runs_keys_at_once_within_the_window", "key", 8, func(t *testing.T, peak int64) {
			require.GreaterOrEqual(t, peak, int64(2), "different keys of one partition must run at once")
			require.LessOrEqual(t, peak, int64(8), "never more than consumer.max_in_flight at once")
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := kafkatest.Start(t)
			cfg := c.Config(t, 1)
			cfg.Consumer.Ordering, cfg.Consumer.MaxInFlight = tc.ordering, tc.maxInFlight
			tr := &tracker{busy: map[string]bool{}}
			slow := handlers.Func{HandlerName: "slow", Fn: func(ctx context.Context, in messages.Envelope) (messages.Result, error) {
				return tr.handle(ctx, in, func() error { time.Sleep(20 * time.Millisecond); return nil })
			}}
			d := startDaemon(t, cfg, fx.Decorate(func(r *handlers.Registry) *handlers.Registry {
				return r.MustRegister("test.slow", slow)
			}))
			defer d.app.RequireStop()

			var inputs []kafkatest.Record
			for i := range 6 {
				for k := range 12 {
					inputs = append(inputs, kafkatest.Record{Key: fmt.Sprintf("k%02d", k), Value: fmt.Appendf(nil, `{"i":%d}`, i),
						Headers: map[string]string{messages.HeaderType: "test.slow"}})
				}
			}
			sent := produced(t, c, cfg.Topics.Input, inputs)
			results := c.ReadN(t, cfg.Topics.Output, len(inputs), 60*time.Second)

			require.Zero(t, tr.overlaps, "two messages of one key ran at once")
			tc.wantPeak(t, tr.peak.Load())
			// Per key, results come in input order, one per input.
			last := map[string]int64{}
			got := map[int64]bool{}
			for _, r := range results {
				s, err := messages.ParseSource(r.Headers[messages.HeaderSource])
				require.NoError(t, err)
				require.False(t, got[s.Offset], "duplicate result for offset %d", s.Offset)
				got[s.Offset] = true
				if prev, ok := last[string(r.Key)]; ok {
					require.Greater(t, s.Offset, prev, "key %s: result for %d after %d", r.Key, s.Offset, prev)
				}
				last[string(r.Key)] = s.Offset
			}
			require.Len(t, got, len(inputs))
			waitCommitted(t, c, cfg.Consumer.Group, cfg.Topics.Input, sent[len(sent)-1].Offset+1)
		})
	}
}

// A key whose message keeps failing holds back only that key: the other
// keys of its partition run while it waits out its retries, and its own
// next message runs only after it was dead-lettered.
func TestDaemon_key_mode_a_failing_key_holds_only_its_key(t *testing.T) {
	c := kafkatest.Start(t)
	cfg := c.Config(t, 1)
	cfg.Consumer.Ordering = "key"
	cfg.Router.RetryAttempts = 2
	const good = 10
	othersRan := make(chan struct{})
	release := make(chan struct{}) // the test lets the held key go once it has seen it age
	var othersDone atomic.Int64
	var mu sync.Mutex
	var log []string // handled inputs, in the order they finished
	step := handlers.Func{HandlerName: "step", Fn: func(ctx context.Context, in messages.Envelope) (messages.Result, error) {
		record := func() {
			mu.Lock()
			log = append(log, fmt.Sprintf("%s@%d", in.Key, in.Source.Offset))
			mu.Unlock()
		}
		if string(in.Payload) != `"fail"` {
			record()
			if in.Key != "bad" && othersDone.Add(1) == good {
				close(othersRan)
			}
			return messages.Result{Type: "test.done", Payload: in.Payload}, nil
		}
		// Held until every other key has run: in partition mode this would
		// never happen, as they wait behind it.
		select {
		case <-othersRan:
		case <-time.After(20 * time.Second):
			return messages.Result{}, handlers.Permanent(errors.New("the other keys never ran while this one was held"))
		}
		<-release
		record()
		err := errors.New("still failing")
		return messages.Result{Type: "test.done", Payload: in.Payload}, err
	}}
	d := startDaemon(t, cfg, fx.Decorate(func(r *handlers.Registry) *handlers.Registry {
		return r.MustRegister("test.step", step)
	}))
	defer d.app.RequireStop()

	typ := map[string]string{messages.HeaderType: "test.step"}
	inputs := []kafkatest.Record{{Key: "bad", Value: []byte(`"fail"`), Headers: typ}, {Key: "bad", Value: []byte(`"then"`), Headers: typ}}
	for k := range good {
		inputs = append(inputs, kafkatest.Record{Key: fmt.Sprintf("good-%d", k), Value: []byte(`"ok"`), Headers: typ})
	}
	sent := produced(t, c, cfg.Topics.Input, inputs)

	// While the other keys finish, the held key's head ages in
	// dispatchd_oldest_message_age_seconds, though the partition flows.
	c.ReadN(t, cfg.Topics.Output, good, 30*time.Second)
	oldest := `dispatchd_oldest_message_age_seconds{partition="0",topic="` + cfg.Topics.Input + `"}`
	first := scrape(t, d.http.Addr())[oldest]
	time.Sleep(300 * time.Millisecond)
	require.Greater(t, scrape(t, d.http.Addr())[oldest], first, "the stuck key's head keeps ageing")
	require.Greater(t, first, 0.0)
	close(release)

	dlq := c.ReadN(t, cfg.Topics.DeadLetter, 1, 30*time.Second)
	require.Equal(t, messages.ErrorClassExhausted, dlq[0].Headers[messages.HeaderErrorClass], dlq[0].Headers[messages.HeaderError])
	require.Equal(t, "3", dlq[0].Headers[messages.HeaderAttempts])
	results := c.ReadN(t, cfg.Topics.Output, good+1, 30*time.Second)
	require.Equal(t, "bad", string(results[len(results)-1].Key), "the failing key's next message comes last")
	waitCommitted(t, c, cfg.Consumer.Group, cfg.Topics.Input, sent[len(sent)-1].Offset+1)
	require.Equal(t, 0.0, scrape(t, d.http.Addr())[oldest], "nothing unfinished: 0")

	mu.Lock()
	defer mu.Unlock()
	bad0, bad1 := fmt.Sprintf("bad@%d", sent[0].Offset), fmt.Sprintf("bad@%d", sent[1].Offset)
	require.Len(t, log, good+4, "three tries of the failing message, one of every other")
	require.Equal(t, []string{bad0, bad0, bad0, bad1}, log[good:], "its retries, then its key's next message")
}

// waitCommitted waits until group's committed offset on partition 0 of
// topic reaches want.
func waitCommitted(t *testing.T, c *kafkatest.Cluster, group, topic string, want int64) {
	t.Helper()
	admin, err := sarama.NewClusterAdmin(c.Brokers, c.SaramaConfig(t))
	require.NoError(t, err)
	defer func() { _ = admin.Close() }()
	var got int64 = -1
	require.Eventually(t, func() bool {
		resp, err := admin.ListConsumerGroupOffsets(group, map[string][]int32{topic: {0}})
		if err != nil {
			return false
		}
		if b := resp.GetBlock(topic, 0); b != nil {
			got = b.Offset
		}
		return got == want
	}, 15*time.Second, 50*time.Millisecond, "committed offset %d, want %d", got, want)
}

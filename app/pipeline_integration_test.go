package app_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"dispatchd/app/kafka"
	"dispatchd/app/kafkatest"
	"dispatchd/messages"
)

// TestDaemon_a_results_topic_that_refuses_writes_mid_run_loses_nothing
// makes the results topic refuse every write (max.message.bytes 64) while
// input keeps arriving and results are pipelined, then lets it accept them
// again. A pipelined result that fails for good replays its partition from
// the commit point: every input still ends as a result or, while the topic
// refuses it, a dead letter; nothing is skipped; and per key the last copy
// of each result is in input order. Duplicates are allowed, and counted.
func TestDaemon_a_results_topic_that_refuses_writes_mid_run_loses_nothing(t *testing.T) {
	for _, ordering := range []kafka.Ordering{kafka.OrderPartition, kafka.OrderKey} {
		t.Run(string(ordering), func(t *testing.T) {
			c := kafkatest.Start(t)
			cfg := c.Config(t, 2)
			cfg.Consumer.Ordering = string(ordering)
			cfg.Producer.DeliveryTimeout = 5 * time.Second
			d := startDaemon(t, cfg)
			defer d.app.RequireStop()

			inputs := orderInputs(20, 30)
			var mu sync.Mutex
			var sent []*kafkaProduced
			done := make(chan struct{})
			go func() { // a steady stream, so the fault lands mid-run
				defer close(done)
				for i := 0; i < len(inputs); i += 10 {
					got := produced(t, c, cfg.Topics.Input, inputs[i:i+10])
					mu.Lock()
					sent = append(sent, got...)
					mu.Unlock()
					time.Sleep(25 * time.Millisecond)
				}
			}()
			c.ReadN(t, cfg.Topics.Output, 50, 30*time.Second)
			small := "64"
			c.SetTopicConfig(t, cfg.Topics.Output, "max.message.bytes", &small)
			c.ReadN(t, cfg.Topics.DeadLetter, 1, 30*time.Second) // a refused result, dead-lettered
			c.SetTopicConfig(t, cfg.Topics.Output, "max.message.bytes", nil)
			<-done

			want := map[string]string{} // source -> key
			for i, s := range sent {
				want[messages.Source{Topic: s.Topic, Partition: s.Partition, Offset: s.Offset}.String()] = inputs[i].Key
			}
			var results, letters []kafkatest.Consumed
			require.Eventually(t, func() bool {
				results = c.ReadFor(t, cfg.Topics.Output, 500*time.Millisecond)
				letters = c.ReadFor(t, cfg.Topics.DeadLetter, 500*time.Millisecond)
				return len(missing(want, results, letters)) == 0
			}, 90*time.Second, 100*time.Millisecond, "inputs without a result or dead letter")

			for _, dl := range letters {
				require.Contains(t, dl.Headers[messages.HeaderError], "too large",
					"only results the topic refused are dead-lettered")
			}
			last := map[string]int{} // source -> position of its last result
			for i, r := range results {
				last[r.Headers[messages.HeaderSource]] = i
			}
			prev := map[string]messages.Source{}
			dups := len(results) - len(last)
			for i, r := range results {
				src := r.Headers[messages.HeaderSource]
				if last[src] != i {
					continue
				}
				s, err := messages.ParseSource(src)
				require.NoError(t, err)
				if p, ok := prev[string(r.Key)]; ok {
					require.Greater(t, s.Offset, p.Offset, "key %s: the last result for offset %d came before the one for %d", r.Key, s.Offset, p.Offset)
				}
				prev[string(r.Key)] = s
			}
			t.Logf("%d inputs: %d results (%d duplicates), %d dead letters", len(want), len(results), dups, len(letters))
		})
	}
}

// missing lists the inputs (source -> key) with neither a result nor a
// dead letter.
func missing(want map[string]string, results, letters []kafkatest.Consumed) []string {
	seen := map[string]bool{}
	for _, r := range append(results, letters...) {
		seen[r.Headers[messages.HeaderSource]] = true
	}
	var out []string
	for src, key := range want {
		if !seen[src] {
			out = append(out, fmt.Sprintf("%s (key %s)", src, key))
		}
	}
	return out
}

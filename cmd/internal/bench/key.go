package bench

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"
)

// Labels of the key scenario's contenders; all but raw are dispatchd.
const (
	PartitionSleep = "partition-5ms"
	KeySleep       = "key-5ms"
	KeySleepHot    = "key-5ms-hot8"
	DispatchKey    = "dispatchd-key"
)

// The key scenario's handler sleep and hot-key count, as the labels say.
const (
	keySleep = 5 * time.Millisecond
	hotKeys  = 8
)

// KeySizes sizes the key_concurrency inputs. Each is its own topic: partition
// mode runs at most partitions/5ms (1,600 msgs/s over 8), key mode ideally
// ideal_ratio times that, and each run should last a few seconds.
type KeySizes struct {
	// Partition is the partition-mode run's input.
	Partition int
	// Key is the key-mode run's input.
	Key int
	// Hot is the hot-key control's input.
	Hot int
}

// Bind makes s's fields flags of the bench command, with their defaults.
func (s *KeySizes) Bind(fs *flag.FlagSet) {
	fs.IntVar(&s.Partition, "key-partition-messages", 6000, "key scenario: records in the partition-mode (5 ms handler) input")
	fs.IntVar(&s.Key, "key-messages", 90000, "key scenario: records in the key-mode (5 ms handler) input")
	fs.IntVar(&s.Hot, "key-hot-messages", 5000, "key scenario: records in the hot-key control's input (8 keys)")
}

// Key runs the key scenario: key_concurrency, then key_overhead. w is the
// overhead scenario's workload; its keys and partitions shape every input.
func Key(ctx context.Context, r *Runner, w Workload, rounds int, sizes KeySizes, out io.Writer) ([]Run, error) {
	runs, err := KeyConcurrency(ctx, r, w, rounds, sizes, out)
	if err != nil {
		return runs, err
	}
	more, err := KeyOverhead(ctx, r, w, rounds, out)
	return append(runs, more...), err
}

// KeyOverhead runs the no-op handler in key mode against the raw sarama
// loop, alternating (raw, key, raw, key, ...) for rounds rounds on one
// preloaded input shaped like the overhead scenario's, and prints the tables
// and the BENCH key_overhead line.
func KeyOverhead(ctx context.Context, r *Runner, w Workload, rounds int, out io.Writer) ([]Run, error) {
	input, err := r.preload("key-overhead", w)
	if err != nil {
		return nil, err
	}
	legs := []Leg{
		{Spec: Spec{Kind: Raw}, Input: input, Workload: w},
		{Spec: Spec{Kind: Dispatch, Name: DispatchKey, Options: Options{Ordering: "key"}}, Input: input, Workload: w},
	}
	runs := r.Rounds(ctx, legs, rounds)
	stats := Summarise(runs, w.Messages)
	PrintReport(out, runs, stats, Raw, []string{Raw, DispatchKey}, keyOverheadLine(runs, stats))
	return runs, nil
}

// keyOverheadLine is the machine-readable summary; lost, duplicates and
// order_violations count the key-mode runs.
func keyOverheadLine(runs []Run, stats map[string]Stats) string {
	lost, dups, order := tally(runs, DispatchKey)
	return fmt.Sprintf("BENCH key_overhead key_msgs_per_s=%s raw_msgs_per_s=%s key_overhead_ratio=%s order_violations=%d lost=%d duplicates=%d",
		rateField(stats, DispatchKey), rateField(stats, Raw), ratioField(stats, DispatchKey, Raw), order, lost, dups)
}

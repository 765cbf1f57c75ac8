package bench

import (
	"context"
	"fmt"
	"io"

	"github.com/IBM/sarama"
)

// KeyConcurrency runs the 5 ms handler in partition mode and in key mode,
// and in key mode over only 8 keys (the hot-key control: where the gain
// ends), in turn for rounds rounds, and prints the tables and the BENCH
// key_concurrency line.
func KeyConcurrency(ctx context.Context, r *Runner, w Workload, rounds int, sizes KeySizes, out io.Writer) ([]Run, error) {
	sleepy := func(name, ordering string) Spec {
		return Spec{Kind: Dispatch, Name: name, Options: Options{Ordering: ordering, HandlerSleep: keySleep}}
	}
	legs := []Leg{
		{Spec: sleepy(PartitionSleep, "partition"), Workload: Workload{Messages: sizes.Partition, Keys: w.Keys, Partitions: w.Partitions}},
		{Spec: sleepy(KeySleep, "key"), Workload: Workload{Messages: sizes.Key, Keys: w.Keys, Partitions: w.Partitions}},
		{Spec: sleepy(KeySleepHot, "key"), Workload: Workload{Messages: sizes.Hot, Keys: hotKeys, Partitions: w.Partitions}},
	}
	for i := range legs {
		input, err := r.preload("key", legs[i].Workload)
		if err != nil {
			return nil, err
		}
		legs[i].Input = input
	}
	ideal, err := r.idealRatio(legs[1])
	if err != nil {
		return nil, err
	}
	runs := r.Rounds(ctx, legs, rounds)
	stats := SummariseLegs(runs, legs)
	PrintReport(out, runs, stats, PartitionSleep, []string{PartitionSleep, KeySleep, KeySleepHot}, keyConcurrencyLine(runs, stats, ideal))
	return runs, nil
}

// idealRatio is l's ideal_ratio, with the consumer.max_in_flight that its
// contender will load (DISPATCHD_CONSUMER_MAX_IN_FLIGHT may set it).
func (r *Runner) idealRatio(l Leg) (float64, error) {
	cfg, err := daemonConfig(Target{Brokers: r.Brokers, Group: "bench.ideal", Input: l.Input, Output: l.Input + ".out"}, l.Spec.Options)
	if err != nil {
		return 0, fmt.Errorf("%s config: %w", l.Spec.Label(), err)
	}
	keys := KeysPerPartition(l.Workload, r.Sarama.Producer.Partitioner(l.Input))
	ideal := IdealRatio(keys, cfg.Consumer.MaxInFlight)
	fmt.Fprintf(r.Log, "%s: keys per partition %v, consumer.max_in_flight %d: ideal_ratio %.2f\n",
		l.Spec.Label(), keys, cfg.Consumer.MaxInFlight, ideal)
	return ideal, nil
}

// KeysPerPartition counts w's distinct keys in each of its partitions, placed
// as Preload's producer places them, by partitioner.
func KeysPerPartition(w Workload, partitioner sarama.Partitioner) []int {
	out := make([]int, w.Partitions)
	for k := range min(w.Keys, w.Messages) {
		p, err := partitioner.Partition(&sarama.ProducerMessage{Key: sarama.StringEncoder(keyName(k))}, w.Partitions)
		if err == nil && p >= 0 && p < w.Partitions {
			out[p]++
		}
	}
	return out
}

// IdealRatio is ideal_ratio: how many times partition mode's throughput key
// mode reaches with a handler that only waits, at zero overhead. That is its
// concurrency: in key mode a partition runs min(maxInFlight, its distinct
// keys) messages at once (one per key, at most the in-flight window); in
// partition mode, one. keys holds each partition's distinct keys;
// partitions without keys count in neither mode.
func IdealRatio(keys []int, maxInFlight int) float64 {
	var keyMode, partitionMode int
	for _, k := range keys {
		if k > 0 {
			keyMode += min(k, maxInFlight)
			partitionMode++
		}
	}
	if partitionMode == 0 {
		return 0
	}
	return float64(keyMode) / float64(partitionMode)
}

// keyConcurrencyLine is the machine-readable summary; lost, duplicates and
// order_violations count every run of the scenario.
func keyConcurrencyLine(runs []Run, stats map[string]Stats, ideal float64) string {
	lost, dups, order := tally(runs, PartitionSleep, KeySleep, KeySleepHot)
	return fmt.Sprintf("BENCH key_concurrency partition_msgs_per_s=%s key_msgs_per_s=%s key_concurrency_ratio=%s ideal_ratio=%.2f order_violations=%d lost=%d hot_key_msgs_per_s=%s hot_key_ratio=%s duplicates=%d",
		rateField(stats, PartitionSleep), rateField(stats, KeySleep), ratioField(stats, KeySleep, PartitionSleep),
		ideal, order, lost, rateField(stats, KeySleepHot), ratioField(stats, KeySleepHot, PartitionSleep), dups)
}

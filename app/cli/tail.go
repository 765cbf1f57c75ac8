package cli

import (
	"context"
	"fmt"
	"io"
	"os/signal"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/IBM/sarama"
	"github.com/spf13/cobra"
)

type tailFlags struct {
	topic         string
	fromBeginning bool
	n             int
	timeout       time.Duration
}

func tailCmd() *cobra.Command {
	f := &tailFlags{}
	c := &cobra.Command{
		Use:   "tail",
		Short: "Print records of a topic: key, partition, offset, headers and value",
		Long: `tail reads every partition of a topic outside any consumer group, so it never
moves dispatchd's offsets. It starts at the end unless --from-beginning is given,
and runs until interrupted, until -n records were printed, or until --timeout.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, sc, err := loadClient(cmd)
			if err != nil {
				return err
			}
			if f.topic == "" {
				f.topic = cfg.Topics.Output
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGINT, syscall.SIGTERM)
			defer stop()
			if f.timeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, f.timeout)
				defer cancel()
			}
			return tail(ctx, cfg.Kafka.Brokers, sc, f, cmd.OutOrStdout())
		},
	}
	c.Flags().StringVar(&f.topic, "topic", "", "topic to read (default topics.output)")
	c.Flags().BoolVar(&f.fromBeginning, "from-beginning", false, "start at the oldest record instead of the end")
	c.Flags().IntVarP(&f.n, "n", "n", 0, "stop after N records (0: no limit)")
	c.Flags().DurationVar(&f.timeout, "timeout", 0, "stop after this long (0: no limit); with -n, fewer records than asked is an error")
	return c
}

func tail(ctx context.Context, brokers []string, sc *sarama.Config, f *tailFlags, out io.Writer) error {
	consumer, err := sarama.NewConsumer(brokers, sc)
	if err != nil {
		return fmt.Errorf("connect consumer to %v: %w", brokers, err)
	}
	defer func() { _ = consumer.Close() }()
	parts, err := consumer.Partitions(f.topic)
	if err != nil {
		return fmt.Errorf("partitions of %q: %w", f.topic, err)
	}
	start := sarama.OffsetNewest
	if f.fromBeginning {
		start = sarama.OffsetOldest
	}
	records := make(chan *sarama.ConsumerMessage)
	for _, p := range parts {
		pc, err := consumer.ConsumePartition(f.topic, p, start)
		if err != nil {
			return fmt.Errorf("consume %s/%d: %w", f.topic, p, err)
		}
		defer pc.AsyncClose()
		go func() {
			for m := range pc.Messages() {
				select {
				case records <- m:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	printed := 0
	for f.n == 0 || printed < f.n {
		select {
		case m := <-records:
			fmt.Fprintln(out, formatRecord(m))
			printed++
		case <-ctx.Done():
			if f.n > 0 && f.timeout > 0 {
				return fmt.Errorf("tail: %d of %d records before the timeout", printed, f.n)
			}
			return nil
		}
	}
	return nil
}

// formatRecord renders one record on one line, headers sorted by name.
func formatRecord(m *sarama.ConsumerMessage) string {
	hs := make([]string, 0, len(m.Headers))
	for _, h := range m.Headers {
		hs = append(hs, string(h.Key)+"="+string(h.Value))
	}
	sort.Strings(hs)
	return fmt.Sprintf("partition=%d offset=%d key=%s headers={%s} value=%s",
		m.Partition, m.Offset, m.Key, strings.Join(hs, ", "), m.Value)
}

package cli

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/IBM/sarama"
	"github.com/google/uuid"
	"github.com/spf13/cobra"
	"go.uber.org/zap"

	"dispatchd/app/kafka"
	"dispatchd/app/tracing"
	"dispatchd/messages"
)

type sendFlags struct {
	topic, key, typ, data string
	raw                   bool
}

func sendCmd() *cobra.Command {
	f := &sendFlags{}
	c := &cobra.Command{
		Use:   "send",
		Short: "Send keyed messages, as any Kafka client would",
		Long: `send writes records with a key, a "type" header and a JSON value, like the
seeds' producers do. With --data it sends one record; without it, it sends one
record per line of standard input, each line being the JSON value. The value
must be valid JSON unless --raw is given (useful to try the dead-letter path).
It prints the partition and offset of every record.

It continues the trace named by the TRACEPARENT (and TRACESTATE) variables,
if set, else starts one when spans are exported, and writes its traceparent into
every record; the OTEL_* variables export its span as they do the daemon's.`,
		Example: `  dispatchd send --key order-1 --type order.placed \
    --data '{"order_id":"order-1","pickup":{"lat":52.52,"lng":13.40},"dropoff":{"lat":52.50,"lng":13.45}}'
  cat orders.jsonl | dispatchd send --key order-1 --type order.placed`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, sc, err := loadClient(cmd)
			if err != nil {
				return err
			}
			if f.topic == "" {
				f.topic = cfg.Topics.Input
			}
			values, err := sendValues(f, cmd.InOrStdin())
			if err != nil {
				return usageErr(err)
			}
			p, err := kafka.NewProducer(cfg.Kafka.Brokers, sc, cfg.Producer.DeliveryTimeout, zap.NewNop())
			if err != nil {
				return err
			}
			defer func() { _ = p.Close() }()
			tr, err := tracing.New(cmd.Context(), buildInfo().Version)
			if err != nil {
				return err
			}
			defer flushSpans(tr)
			ctx, span := startSendSpan(cmd.Context(), tr, f.topic, len(values))
			records := make([]*sarama.ProducerMessage, len(values))
			for i, v := range values {
				id := uuid.NewString()
				records[i] = &sarama.ProducerMessage{Topic: f.topic, Key: sarama.StringEncoder(f.key),
					Value: sarama.ByteEncoder(v), Headers: []sarama.RecordHeader{
						{Key: []byte(messages.HeaderType), Value: []byte(f.typ)},
						{Key: []byte(messages.HeaderMessageID), Value: []byte(id)},
					}}
				tracing.Inject(ctx, tracing.Headers[sarama.RecordHeader]{H: &records[i].Headers})
			}
			ds, err := p.Send(records)
			endSpan(span, err)
			if err != nil {
				return err
			}
			for _, d := range ds {
				fmt.Fprintf(cmd.OutOrStdout(), "sent topic=%s partition=%d offset=%d key=%s\n", d.Topic, d.Partition, d.Offset, f.key)
			}
			return nil
		},
	}
	c.Flags().StringVar(&f.topic, "topic", "", "topic to send to (default topics.input)")
	c.Flags().StringVar(&f.key, "key", "", "record key (required)")
	c.Flags().StringVar(&f.typ, "type", "", `value of the "type" header (required)`)
	c.Flags().StringVar(&f.data, "data", "", "JSON value; without it, one value per line of stdin")
	c.Flags().BoolVar(&f.raw, "raw", false, "send values as they are, even if they are not JSON")
	return c
}

// sendValues returns the values to send, checked before anything is sent.
func sendValues(f *sendFlags, stdin io.Reader) ([][]byte, error) {
	if f.key == "" || f.typ == "" {
		return nil, errors.New("send: --key and --type are required")
	}
	var values [][]byte
	if f.data != "" {
		values = append(values, []byte(f.data))
	} else {
		sc := bufio.NewScanner(stdin)
		sc.Buffer(make([]byte, 64*1024), 1<<20)
		for sc.Scan() {
			if line := strings.TrimSpace(sc.Text()); line != "" {
				values = append(values, []byte(line))
			}
		}
		if err := sc.Err(); err != nil {
			return nil, fmt.Errorf("send: read stdin: %w", err)
		}
	}
	if len(values) == 0 {
		return nil, errors.New("send: nothing to send: give --data or lines on stdin")
	}
	for i, v := range values {
		if !f.raw && !json.Valid(v) {
			return nil, fmt.Errorf("send: value %d is not valid JSON (use --raw to send it anyway): %.80s", i+1, v)
		}
	}
	return values, nil
}

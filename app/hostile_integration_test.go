package app_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/IBM/sarama"
	"github.com/stretchr/testify/require"
	"go.uber.org/fx"

	"dispatchd/app/kafkatest"
	"dispatchd/app/router"
	"dispatchd/handlers"
	"dispatchd/messages"
)

// typed is headers with the given type.
func typed(typ string) map[string]string { return map[string]string{messages.HeaderType: typ} }

// TestDaemon_no_hostile_record_stops_its_partition writes, on one partition,
// the records that used to stop it forever, each in front of a valid record:
// every bad one ends as a dead letter and every valid one gets its result.
func TestDaemon_no_hostile_record_stops_its_partition(t *testing.T) {
	c := kafkatest.Start(t)
	cfg := c.Config(t, 1)
	cfg.Producer.MaxMessageBytes = 200_000
	cfg.Router.HandlerTimeout = 200 * time.Millisecond
	cfg.Router.RetryAttempts = 1
	hang := handlers.Func{HandlerName: "hangs", Fn: func(ctx context.Context, _ messages.Envelope) (messages.Result, error) {
		<-ctx.Done()
		return messages.Result{}, ctx.Err()
	}}
	echo := handlers.Func{HandlerName: "echoes", Fn: func(_ context.Context, in messages.Envelope) (messages.Result, error) {
		return messages.Result{Type: "test.echoed", Payload: bytes.Repeat(in.Payload, 1000)}, nil
	}}
	d := startDaemon(t, cfg, fx.Decorate(func(r *handlers.Registry) *handlers.Registry {
		return r.MustRegister("test.hang", hang).MustRegister("test.echo", echo)
	}))
	defer d.app.RequireStop()

	const key = "order-1"
	long := strings.Repeat("x", 150_000) // quoted by the decoder's error
	huge := strings.Repeat("y", 300_000) // over producer.max_message_bytes
	bad := []struct {
		name      string
		rec       kafkatest.Record
		wantError string
		wantValue bool // the dead letter carries the value
	}{
		{name: "type_not_utf8", rec: kafkatest.Record{Value: orderPlaced(key, 1), Headers: typed("\xb7")},
			wantError: "unknown message type", wantValue: true},
		{name: "error_quoting_a_large_value", rec: kafkatest.Record{Headers: typed(messages.TypeOrderPlaced),
			Value: []byte(`{"` + long + `": 1}`)}, wantError: "unknown field", wantValue: true},
		{name: "value_over_the_producer_limit", rec: kafkatest.Record{Headers: typed(messages.TypeOrderPlaced),
			Value: []byte(`{"` + huge + `": 1}`)}, wantError: "unknown field"},
		{name: "type_of_10kb", rec: kafkatest.Record{Value: orderPlaced(key, 2), Headers: typed(strings.Repeat("t", 10_000))},
			wantError: "unknown message type", wantValue: true},
		{name: "duplicate_headers", rec: kafkatest.Record{Value: orderPlaced(key, 3), Ordered: []sarama.RecordHeader{
			{Key: []byte("x"), Value: []byte("2")}, {Key: []byte("x"), Value: []byte("1")},
			{Key: []byte(messages.HeaderType), Value: []byte("order.nope")}}}, wantError: "unknown message type", wantValue: true},
		{name: "hung_handler", rec: kafkatest.Record{Value: []byte("{}"), Headers: typed("test.hang")},
			wantError: "handler timed out", wantValue: true},
		{name: "result_over_the_producer_limit", rec: kafkatest.Record{Value: bytes.Repeat([]byte("z"), 300), Headers: typed("test.echo")},
			wantError: "MaxMessageBytes", wantValue: true},
	}
	var inputs []kafkatest.Record
	for i, b := range bad {
		b.rec.Key = key
		inputs = append(inputs, b.rec, kafkatest.Record{Key: key, Value: orderPlaced(key, 10+i),
			Headers: map[string]string{messages.HeaderType: messages.TypeOrderPlaced, messages.HeaderMessageID: fmt.Sprintf("ok-%d", i)}})
	}
	sent := produced(t, c, cfg.Topics.Input, inputs)

	results := c.ReadN(t, cfg.Topics.Output, len(bad), 60*time.Second)
	for i, r := range results {
		require.Equal(t, fmt.Sprintf("ok-%d", i), r.Headers[messages.HeaderCausationID], "each valid record behind a bad one gets its result, in order")
	}
	dlq := c.ReadN(t, cfg.Topics.DeadLetter, len(bad), 60*time.Second)
	for i, r := range dlq {
		b, in := bad[i], inputs[2*i]
		t.Run(b.name, func(t *testing.T) {
			require.Equal(t, key, string(r.Key))
			reason := r.Headers[messages.HeaderError]
			require.Contains(t, reason, b.wantError)
			require.LessOrEqual(t, len(reason), router.MaxReasonBytes)
			require.True(t, utf8.ValidString(reason))
			src := messages.Source{Topic: cfg.Topics.Input, Partition: sent[2*i].Partition, Offset: sent[2*i].Offset}
			require.Equal(t, src.String(), r.Headers[messages.HeaderSource])
			if b.wantValue {
				require.Equal(t, in.Value, r.Value)
			} else {
				sum := sha256.Sum256(in.Value)
				require.Empty(t, r.Value)
				require.Equal(t, strconv.Itoa(len(in.Value)), r.Headers[router.HeaderValueBytes])
				require.Equal(t, hex.EncodeToString(sum[:]), r.Headers[router.HeaderValueSHA256])
			}
			var names []string
			for _, h := range r.ConsumerMessage.Headers {
				names = append(names, string(h.Key)+"="+string(h.Value))
			}
			var want []string
			for _, h := range in.Ordered {
				want = append(want, string(h.Key)+"="+string(h.Value))
			}
			for k, v := range in.Headers {
				want = append(want, k+"="+v)
			}
			require.Equal(t, want, names[:len(want)], "the input's headers come first, as they were")
		})
	}

	// Only registered types and "unknown" are label values.
	for s := range series(scrape(t, d.http.Addr()), "dispatchd_messages_handled_total") {
		require.Regexp(t, `type="(order\.placed|test\.hang|test\.echo|unknown)"`, s)
	}
}

// TestDaemon_many_unknown_types_add_no_metric_series sends 2,000 distinct
// unknown types: the handled series stay the same few.
func TestDaemon_many_unknown_types_add_no_metric_series(t *testing.T) {
	c := kafkatest.Start(t)
	cfg := c.Config(t, 4)
	d := startDaemon(t, cfg)
	defer d.app.RequireStop()
	const n = 2000
	inputs := make([]kafkatest.Record, n)
	for i := range inputs {
		inputs[i] = kafkatest.Record{Key: fmt.Sprintf("k-%d", i%50), Value: []byte("{}"), Headers: typed(fmt.Sprintf("invented.%d", i))}
	}
	c.Produce(t, cfg.Topics.Input, inputs)
	c.ReadN(t, cfg.Topics.DeadLetter, n, 60*time.Second)
	require.Eventually(t, func() bool {
		return series(scrape(t, d.http.Addr()), "dispatchd_messages_handled_total")[`dispatchd_messages_handled_total{handler="none",outcome="dead_letter",type="unknown"}`] == n
	}, 10*time.Second, 20*time.Millisecond)
	require.Len(t, series(scrape(t, d.http.Addr()), "dispatchd_messages_handled_total"), 1, "one series, however many types")
}

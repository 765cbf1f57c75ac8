package app_test

import (
	"encoding/hex"
	"strconv"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/stretchr/testify/require"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"

	"dispatchd/app/kafkatest"
	"dispatchd/app/tracing/otlpsink"
	"dispatchd/messages"
)

// Upstream trace contexts, as any client would write them: sampled, with a
// tracestate entry.
const (
	goodParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
	badParent  = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	upstreamTS = "vendor=upstream"
)

// traceparents are the values of every traceparent header of a record, in
// order.
func traceparents(m *sarama.ConsumerMessage) []string {
	var out []string
	for _, h := range m.Headers {
		if string(h.Key) == "traceparent" {
			out = append(out, string(h.Value))
		}
	}
	return out
}

// tracedInputs are a valid order and a malformed one, each with its own
// upstream trace context.
func tracedInputs() []kafkatest.Record {
	return []kafkatest.Record{
		{Key: "order-t1", Value: orderPlaced("order-t1", 1), Headers: map[string]string{
			messages.HeaderType: messages.TypeOrderPlaced, messages.HeaderMessageID: "t1",
			"traceparent": goodParent, "tracestate": upstreamTS}},
		{Key: "order-t1", Value: []byte(`{"order_id": `), Headers: map[string]string{
			messages.HeaderType: messages.TypeOrderPlaced, messages.HeaderMessageID: "t2",
			"traceparent": badParent, "tracestate": upstreamTS}},
	}
}

func TestDaemon_traceparent_of_an_input_goes_on_in_its_result_and_dead_letter(t *testing.T) {
	tests := []struct {
		name     string
		protocol string // OTEL_EXPORTER_OTLP_PROTOCOL; "" exports nothing
	}{
		{"propagation_only", ""},
		{"exporting_over_otlp_http", "http/protobuf"},
		{"exporting_over_otlp_grpc", "grpc"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var sink receiver = otlpsink.Start(true)
			if tt.protocol == "grpc" {
				g, err := otlpsink.StartGRPC(true)
				require.NoError(t, err)
				sink = g
			}
			defer sink.Close()
			export := tt.protocol != ""
			if export {
				t.Setenv("OTEL_TRACES_EXPORTER", "otlp")
				t.Setenv("OTEL_EXPORTER_OTLP_PROTOCOL", tt.protocol)
				t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", sink.URL())
				t.Setenv("OTEL_SERVICE_NAME", "dispatchd-under-test")
				t.Setenv("OTEL_RESOURCE_ATTRIBUTES", "deployment.environment.name=test")
			} else {
				t.Setenv("OTEL_TRACES_EXPORTER", "")
				t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "")
			}
			c := kafkatest.Start(t)
			cfg := c.Config(t, 1)
			d := startDaemon(t, cfg)
			in := c.Produce(t, cfg.Topics.Input, tracedInputs())

			res := c.ReadN(t, cfg.Topics.Output, 1, 30*time.Second)[0]
			dl := c.ReadN(t, cfg.Topics.DeadLetter, 1, 30*time.Second)[0]
			resTP, dlTP := traceparents(res.ConsumerMessage), traceparents(dl.ConsumerMessage)
			require.Len(t, resTP, 1, "a result carries one traceparent")
			require.Len(t, dlTP, 1, "a dead letter carries one traceparent, not its input's beside its own")
			require.Equal(t, traceID(goodParent), traceID(resTP[0]))
			require.Equal(t, traceID(badParent), traceID(dlTP[0]))
			require.NotEqual(t, "t1", res.Headers[messages.HeaderMessageID], "a result has its own id, not a copy of its input's headers")
			require.Equal(t, upstreamTS, res.Headers["tracestate"])
			require.Equal(t, upstreamTS, dl.Headers["tracestate"])
			if !export {
				// Nothing records: the input's own context is carried on.
				require.Equal(t, goodParent, resTP[0])
				require.Equal(t, badParent, dlTP[0])
				d.app.RequireStop()
				require.Zero(t, sink.Count())
				return
			}
			require.NotEqual(t, spanID(goodParent), spanID(resTP[0]), "the result's parent is dispatchd's span")
			d.app.RequireStop() // flushes the spans: the batcher's own delay is 5 s

			spans := consumerSpans(sink.Spans())
			require.Len(t, spans, 2, "one CONSUMER span per message")
			good, bad := spans[traceID(goodParent)], spans[traceID(badParent)]
			require.NotNil(t, good)
			require.NotNil(t, bad)
			require.Equal(t, spanID(goodParent), hex.EncodeToString(good.Span.ParentSpanId))
			require.Equal(t, spanID(resTP[0]), hex.EncodeToString(good.Span.SpanId))
			require.Equal(t, spanID(dlTP[0]), hex.EncodeToString(bad.Span.SpanId))
			require.Equal(t, "dispatchd-under-test", good.Resource["service.name"])
			require.Equal(t, "test", good.Resource["deployment.environment.name"])
			for i, sp := range []otlpsink.Span{*good, *bad} {
				require.Equal(t, map[string]string{
					"messaging.system":                   "kafka",
					"messaging.operation.name":           "process",
					"messaging.operation.type":           "process",
					"messaging.destination.name":         cfg.Topics.Input,
					"messaging.destination.partition.id": strconv.Itoa(int(in[i].Partition)),
					"messaging.kafka.offset":             strconv.FormatInt(in[i].Offset, 10),
					"messaging.consumer.group.name":      cfg.Consumer.Group,
					"messaging.kafka.message.key":        "order-t1",
					"messaging.message.id":               []string{"t1", "t2"}[i],
					"messaging.message.body.size":        strconv.Itoa(len(tracedInputs()[i].Value)),
				}, sp.Attributes)
			}
			require.Equal(t, tracepb.Status_STATUS_CODE_UNSET, good.Span.GetStatus().GetCode())
			require.Equal(t, tracepb.Status_STATUS_CODE_ERROR, bad.Span.GetStatus().GetCode())
			require.Equal(t, "dead_letter", bad.Span.Events[len(bad.Span.Events)-1].Name)
		})
	}
}

// receiver is an in-process OTLP receiver, over HTTP or gRPC.
type receiver interface {
	URL() string
	Count() int
	Spans() []otlpsink.Span
	Close()
}

// consumerSpans are the CONSUMER spans among spans, by trace id.
func consumerSpans(spans []otlpsink.Span) map[string]*otlpsink.Span {
	out := map[string]*otlpsink.Span{}
	for i, sp := range spans {
		if sp.Span.Kind == tracepb.Span_SPAN_KIND_CONSUMER {
			out[hex.EncodeToString(sp.Span.TraceId)] = &spans[i]
		}
	}
	return out
}

func traceID(traceparent string) string { return traceparent[3:35] }
func spanID(traceparent string) string  { return traceparent[36:52] }

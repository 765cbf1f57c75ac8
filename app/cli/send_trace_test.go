package cli_test

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"

	"dispatchd/app/cli"
	"dispatchd/app/kafkatest"
	"dispatchd/app/tracing/otlpsink"
)

func TestSend_continues_the_trace_in_TRACEPARENT(t *testing.T) {
	const parent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
	c := kafkatest.Start(t)
	cfg := c.Config(t, 1)
	c.CreateTopics(t, 1, cfg.Topics.Input)
	tests := []struct {
		name   string
		export bool
	}{
		{"propagation_only", false},
		{"exporting_its_producer_span", true},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sink := otlpsink.Start(true)
			defer sink.Close()
			t.Setenv("TRACEPARENT", parent)
			t.Setenv("OTEL_TRACES_EXPORTER", "none")
			if tt.export {
				t.Setenv("OTEL_TRACES_EXPORTER", "otlp")
				t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", sink.URL())
			}
			var stdout, stderr bytes.Buffer
			code := cli.Main([]string{"send", "--brokers", strings.Join(c.Brokers, ","), "--topic", cfg.Topics.Input,
				"--key", "order-1", "--type", "order.placed", "--data", "{}"}, strings.NewReader(""), &stdout, &stderr)
			require.Equal(t, cli.ExitOK, code, "stderr:\n%s", stderr.String())
			rec := c.ReadN(t, cfg.Topics.Input, i+1, 10*time.Second)[i]
			tp := rec.Headers["traceparent"]
			require.Equal(t, parent[:36], tp[:36], "the same trace")
			if !tt.export {
				require.Equal(t, parent, tp)
				require.Zero(t, sink.Count())
				return
			}
			spans := sink.Spans() // flushed before send exits
			require.Len(t, spans, 1)
			require.Equal(t, tracepb.Span_SPAN_KIND_PRODUCER, spans[0].Span.Kind)
			require.Equal(t, tp[36:52], hex.EncodeToString(spans[0].Span.SpanId))
			require.Equal(t, "kafka", spans[0].Attributes["messaging.system"])
			require.Equal(t, cfg.Topics.Input, spans[0].Attributes["messaging.destination.name"])
		})
	}
}

package httpapi_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/stretchr/testify/require"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	"go.uber.org/zap"

	"dispatchd/app/httpapi"
	"dispatchd/messages"
)

const callerParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"

func header(r *sarama.ProducerMessage, key string) string {
	for _, h := range r.Headers {
		if string(h.Key) == key {
			return string(h.Value)
		}
	}
	return ""
}

func TestSend_starts_or_continues_the_callers_trace(t *testing.T) {
	tests := []struct {
		name        string
		traceparent string
		record      bool // an exporting tracer, or the no-op one
		wantTrace   string
	}{
		{"continues_the_callers_trace", callerParent, true, "0af7651916cd43dd8448eb211c80319c"},
		{"starts_a_trace_without_one", "", true, ""},
		{"only_propagates_without_an_exporter", callerParent, false, "0af7651916cd43dd8448eb211c80319c"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spans := tracetest.NewInMemoryExporter()
			var tracer trace.Tracer
			if tt.record {
				tracer = sdktrace.NewTracerProvider(sdktrace.WithSyncer(spans)).Tracer("test")
			}
			s := &recordingSender{}
			h := httpapi.NewSend(httpapi.SendOptions{Topic: "in", Types: []string{messages.TypeOrderPlaced},
				MaxRecordBytes: 1 << 20, MaxConcurrent: 1, Timeout: 10 * time.Second, Tracer: tracer}, s, zap.NewNop())
			req := httptest.NewRequest(http.MethodPost, "/v1/messages", strings.NewReader(
				`[{"key":"k1","type":"order.placed","data":{"order_id":"k1","pickup":{"lat":1,"lng":1},"dropoff":{"lat":2,"lng":2}}}]`))
			if tt.traceparent != "" {
				req.Header.Set("traceparent", tt.traceparent)
			}
			rec := serve(h, req)
			require.Equal(t, http.StatusAccepted, rec.Code, rec.Body.String())
			_, records := s.sent()
			require.Len(t, records, 1)
			tp := header(records[0], "traceparent")
			require.Len(t, tp, len(callerParent))
			if tt.wantTrace != "" {
				require.Equal(t, tt.wantTrace, tp[3:35])
			}
			if !tt.record {
				require.Equal(t, callerParent, tp)
				return
			}
			got := spans.GetSpans()
			require.Len(t, got, 1)
			require.Equal(t, trace.SpanKindProducer, got[0].SpanKind)
			require.Equal(t, got[0].SpanContext.SpanID().String(), tp[36:52], "the record's parent is the send's span")
		})
	}
}

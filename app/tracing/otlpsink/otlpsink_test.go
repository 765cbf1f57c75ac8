package otlpsink_test

import (
	"bytes"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
	collectorpb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	resourcepb "go.opentelemetry.io/proto/otlp/resource/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"

	"dispatchd/app/tracing/otlpsink"
)

// request has one ResourceSpans per entry of perScope's outer slice, one
// ScopeSpans per inner entry, holding that many spans with attributes.
func request(perScope [][]int) []byte {
	str := func(k, v string) *commonpb.KeyValue {
		return &commonpb.KeyValue{Key: k, Value: &commonpb.AnyValue{Value: &commonpb.AnyValue_StringValue{StringValue: v}}}
	}
	req := &collectorpb.ExportTraceServiceRequest{}
	for _, scopes := range perScope {
		rs := &tracepb.ResourceSpans{Resource: &resourcepb.Resource{Attributes: []*commonpb.KeyValue{str("service.name", "x")}}, SchemaUrl: "s"}
		for _, n := range scopes {
			ss := &tracepb.ScopeSpans{Scope: &commonpb.InstrumentationScope{Name: "dispatchd"}, SchemaUrl: "s"}
			for range n {
				ss.Spans = append(ss.Spans, &tracepb.Span{Name: "process in", TraceId: make([]byte, 16), SpanId: make([]byte, 8),
					Attributes: []*commonpb.KeyValue{str("messaging.system", "kafka")}, Events: []*tracepb.Span_Event{{Name: "retry"}}})
			}
			rs.ScopeSpans = append(rs.ScopeSpans, ss)
		}
		req.ResourceSpans = append(req.ResourceSpans, rs)
	}
	b, err := proto.Marshal(req)
	if err != nil {
		panic(err)
	}
	return b
}

func post(t *testing.T, url string, body []byte) int {
	t.Helper()
	resp, err := http.Post(url+"/v1/traces", "application/x-protobuf", bytes.NewReader(body))
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	return resp.StatusCode
}

func TestSink_counting_agrees_with_the_full_decode(t *testing.T) {
	tests := []struct {
		name     string
		perScope [][]int
		want     int
	}{
		{"empty_request", nil, 0},
		{"one_scope", [][]int{{3}}, 3},
		{"several_resources_and_scopes", [][]int{{2, 0, 5}, {1}}, 8},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			counter, keeper := otlpsink.Start(false), otlpsink.Start(true)
			defer counter.Close()
			defer keeper.Close()
			body := request(tt.perScope)
			require.Equal(t, http.StatusOK, post(t, counter.URL(), body))
			require.Equal(t, http.StatusOK, post(t, keeper.URL(), body))
			require.Equal(t, tt.want, keeper.Count())
			require.Len(t, keeper.Spans(), tt.want)
			require.Equal(t, tt.want, counter.Count())
			require.Empty(t, counter.Spans(), "a counting sink keeps nothing")
		})
	}
}

func TestSink_counting_rejects_a_malformed_request(t *testing.T) {
	whole := request([][]int{{2}})
	tests := []struct {
		name string
		body []byte
	}{
		{"truncated", whole[:len(whole)-3]},
		{"bad_tag", []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sink := otlpsink.Start(false)
			defer sink.Close()
			require.Equal(t, http.StatusBadRequest, post(t, sink.URL(), tt.body))
			require.Zero(t, sink.Count())
		})
	}
}

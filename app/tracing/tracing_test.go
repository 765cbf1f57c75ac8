package tracing_test

import (
	"context"
	"testing"

	"github.com/IBM/sarama"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"dispatchd/app/tracing"
	"dispatchd/messages"
)

const parent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"

func TestWanted_exports_only_when_an_exporter_or_endpoint_is_named(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want string
		on   bool
	}{
		{"nothing_set_is_off", nil, "", false},
		{"exporter_named", map[string]string{"OTEL_TRACES_EXPORTER": "console"}, "console", true},
		{"none_is_off_even_with_an_endpoint", map[string]string{"OTEL_TRACES_EXPORTER": "none", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://x"}, "", false},
		{"endpoint_alone_means_otlp", map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://x"}, "otlp", true},
		{"traces_endpoint_alone_means_otlp", map[string]string{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://x/v1/traces"}, "otlp", true},
		{"sdk_disabled_wins", map[string]string{"OTEL_SDK_DISABLED": "true", "OTEL_TRACES_EXPORTER": "otlp"}, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			name, on := tracing.Wanted(func(k string) string { return tt.env[k] })
			require.Equal(t, tt.want, name)
			require.Equal(t, tt.on, on)
		})
	}
}

func TestBatching_queues_more_than_the_sdk_unless_the_environment_sizes_it(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want int // MaxQueueSize the options set, 0 if they leave it to the SDK
	}{
		{"nothing_set_is_dispatchds_queue", nil, tracing.QueueSize},
		{"queue_set_is_the_sdks_reading", map[string]string{"OTEL_BSP_MAX_QUEUE_SIZE": "100"}, 0},
		{"batch_set_is_the_sdks_reading", map[string]string{"OTEL_BSP_MAX_EXPORT_BATCH_SIZE": "4096"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var o sdktrace.BatchSpanProcessorOptions
			for _, opt := range tracing.Batching(func(k string) string { return tt.env[k] }) {
				opt(&o)
			}
			require.Equal(t, tt.want, o.MaxQueueSize)
			require.Zero(t, o.MaxExportBatchSize, "the batch size stays the SDK's")
		})
	}
}

func TestRecords_is_false_only_for_the_propagating_tracer(t *testing.T) {
	tests := []struct {
		name   string
		tracer trace.Tracer
		want   bool
	}{
		{"off", tracing.Off().Tracer(), false},
		{"sdk", sdktrace.NewTracerProvider().Tracer("x"), true},
		{"sdk_whose_sampler_decides", sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.NeverSample())).Tracer("x"), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, tracing.Records(tt.tracer))
		})
	}
}

func TestNew_is_off_without_the_variables(t *testing.T) {
	t.Setenv("OTEL_TRACES_EXPORTER", "")
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "")
	t.Setenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "")
	tr, err := tracing.New(context.Background(), "test")
	require.NoError(t, err)
	require.Empty(t, tr.Exporter())
	// Off still carries an incoming context on.
	ctx := tracing.Extract(context.Background(), propagation.MapCarrier{"traceparent": parent})
	ctx, span := tr.Tracer().Start(ctx, "x")
	span.End()
	out := propagation.MapCarrier{}
	tracing.Inject(ctx, out)
	require.Equal(t, parent, out["traceparent"])
	require.NoError(t, tr.Shutdown(context.Background()))
}

func TestHeaders_set_leaves_one_header_in_place_of_the_first(t *testing.T) {
	h := func(k, v string) sarama.RecordHeader { return sarama.RecordHeader{Key: []byte(k), Value: []byte(v)} }
	tests := []struct {
		name string
		in   []sarama.RecordHeader
		want []sarama.RecordHeader
	}{
		{"absent_is_appended", []sarama.RecordHeader{h("type", "a")}, []sarama.RecordHeader{h("type", "a"), h("traceparent", "new")}},
		{"present_is_replaced_in_place", []sarama.RecordHeader{h("traceparent", "old"), h("type", "a")},
			[]sarama.RecordHeader{h("traceparent", "new"), h("type", "a")}},
		{"duplicates_are_dropped", []sarama.RecordHeader{h("type", "a"), h("traceparent", "old1"), h("x", "y"), h("traceparent", "old2")},
			[]sarama.RecordHeader{h("type", "a"), h("traceparent", "new"), h("x", "y")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tracing.Headers[sarama.RecordHeader]{H: &tt.in}
			c.Set("traceparent", "new")
			require.Equal(t, tt.want, tt.in)
			require.Equal(t, "new", c.Get("traceparent"))
		})
	}
}

func TestHeaders_get_reads_the_last_of_duplicates(t *testing.T) {
	hs := []messages.Header{{Key: []byte("traceparent"), Value: []byte("first")}, {Key: []byte("traceparent"), Value: []byte("last")}}
	c := tracing.Headers[messages.Header]{H: &hs}
	require.Equal(t, "last", c.Get("traceparent"))
	require.Empty(t, c.Get("tracestate"))
	require.Equal(t, []string{"traceparent"}, c.Keys())
}

func TestReplace_drops_the_copied_context_only_when_there_is_a_new_one(t *testing.T) {
	raw := []messages.Header{{Key: []byte("traceparent"), Value: []byte("stale")}, {Key: []byte("type"), Value: []byte("a")}}
	md := map[string]string{}
	require.Equal(t, raw, tracing.Replace(context.Background(), md, raw), "no context: the copy stays as it is")
	require.Empty(t, md)

	ctx := tracing.Extract(context.Background(), propagation.MapCarrier{"traceparent": parent})
	got := tracing.Replace(ctx, md, raw)
	require.Equal(t, []messages.Header{{Key: []byte("type"), Value: []byte("a")}}, got)
	require.Equal(t, parent, md["traceparent"])
	require.Equal(t, "stale", string(raw[0].Value), "the input's headers are not modified")
}

// Package otlpsink is an in-process OTLP/HTTP trace receiver: it decodes
// each protobuf ExportTraceServiceRequest and keeps its spans, so tests can
// see what dispatchd exported with only the standard variables pointing at
// it; the bench's sink only counts them.
package otlpsink

import (
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"

	collectorpb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"
)

// Span is one received span with the resource it came from, attributes
// flattened to strings.
type Span struct {
	// Span is the span as received.
	Span *tracepb.Span
	// Resource are the resource attributes of its exporter.
	Resource map[string]string
	// Attributes are the span's attributes.
	Attributes map[string]string
}

// Sink is a running receiver. Keep says whether it stores spans or only
// counts them (the bench's case).
type Sink struct {
	srv  *httptest.Server
	keep bool

	mu    sync.Mutex
	spans []Span
	count int
}

// Start serves POST /v1/traces on a loopback port; keep stores the spans.
func Start(keep bool) *Sink {
	s := &Sink{keep: keep}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/traces", s.export)
	s.srv = httptest.NewServer(mux)
	return s
}

// URL is the base URL: OTEL_EXPORTER_OTLP_ENDPOINT.
func (s *Sink) URL() string { return s.srv.URL }

// Close stops the receiver.
func (s *Sink) Close() { s.srv.Close() }

// Count is how many spans arrived.
func (s *Sink) Count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.count
}

// Spans are the spans stored so far, in arrival order.
func (s *Sink) Spans() []Span {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Span(nil), s.spans...)
}

func (s *Sink) export(w http.ResponseWriter, r *http.Request) {
	var body io.Reader = r.Body
	if r.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		body = zr
	}
	b, err := io.ReadAll(body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if err := s.receive(b); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	out, _ := proto.Marshal(&collectorpb.ExportTraceServiceResponse{})
	w.Header().Set("Content-Type", "application/x-protobuf")
	_, _ = w.Write(out)
}

// receive takes one encoded request: decoded in full when the spans are
// kept, only counted when not.
func (s *Sink) receive(b []byte) error {
	if !s.keep {
		n, err := countSpans(b)
		if err != nil {
			return err
		}
		s.mu.Lock()
		s.count += n
		s.mu.Unlock()
		return nil
	}
	var req collectorpb.ExportTraceServiceRequest
	if err := proto.Unmarshal(b, &req); err != nil {
		return err
	}
	s.add(&req)
	return nil
}

func (s *Sink) add(req *collectorpb.ExportTraceServiceRequest) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, rs := range req.GetResourceSpans() {
		res := flatten(rs.GetResource().GetAttributes())
		for _, ss := range rs.GetScopeSpans() {
			s.count += len(ss.GetSpans())
			if !s.keep {
				continue
			}
			for _, sp := range ss.GetSpans() {
				s.spans = append(s.spans, Span{Span: sp, Resource: res, Attributes: flatten(sp.GetAttributes())})
			}
		}
	}
}

// flatten renders attribute values as strings, the way they read in a
// trace viewer.
func flatten(kvs []*commonpb.KeyValue) map[string]string {
	m := make(map[string]string, len(kvs))
	for _, kv := range kvs {
		m[kv.GetKey()] = value(kv.GetValue())
	}
	return m
}

func value(v *commonpb.AnyValue) string {
	switch x := v.GetValue().(type) {
	case *commonpb.AnyValue_StringValue:
		return x.StringValue
	case *commonpb.AnyValue_IntValue:
		return strconv.FormatInt(x.IntValue, 10)
	case *commonpb.AnyValue_BoolValue:
		return strconv.FormatBool(x.BoolValue)
	case *commonpb.AnyValue_DoubleValue:
		return strconv.FormatFloat(x.DoubleValue, 'g', -1, 64)
	}
	return v.String()
}

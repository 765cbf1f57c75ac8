package otlpsink

import (
	"context"
	"net"

	collectorpb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/grpc"
)

// GRPCSink is a running OTLP/gRPC trace receiver; it keeps what a Sink
// keeps.
type GRPCSink struct {
	*Sink
	srv  *grpc.Server
	addr string
}

// StartGRPC serves the OTLP trace service over gRPC (no TLS) on a loopback
// port; keep stores the spans.
func StartGRPC(keep bool) (*GRPCSink, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &GRPCSink{Sink: &Sink{keep: keep}, srv: grpc.NewServer(), addr: ln.Addr().String()}
	collectorpb.RegisterTraceServiceServer(s.srv, traceService{sink: s.Sink})
	go func() { _ = s.srv.Serve(ln) }() // Serve returns when Close stops the server
	return s, nil
}

// URL is the endpoint for OTEL_EXPORTER_OTLP_ENDPOINT, http:// meaning
// without TLS.
func (s *GRPCSink) URL() string { return "http://" + s.addr }

// Close stops the receiver.
func (s *GRPCSink) Close() { s.srv.Stop() }

type traceService struct {
	collectorpb.UnimplementedTraceServiceServer
	sink *Sink
}

func (t traceService) Export(_ context.Context, req *collectorpb.ExportTraceServiceRequest) (*collectorpb.ExportTraceServiceResponse, error) {
	t.sink.add(req)
	return &collectorpb.ExportTraceServiceResponse{}, nil
}

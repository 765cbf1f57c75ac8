// Package httpapi serves dispatchd's HTTP endpoints: /healthz, /readyz,
// /metrics, and POST /v1/messages, the seed's send endpoint.
package httpapi

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"go.uber.org/zap"
)

// Server is the HTTP server. Start listens synchronously, so a busy port
// fails start-up, and serves in a goroutine until Stop.
type Server struct {
	srv  *http.Server
	log  *zap.Logger
	addr string
	ln   net.Listener
	done chan struct{}
}

// NewServer returns a server for handler on addr.
func NewServer(addr string, handler http.Handler, log *zap.Logger) *Server {
	return &Server{
		addr: addr,
		log:  log,
		srv: &http.Server{
			Handler:           handler,
			ReadHeaderTimeout: 5 * time.Second,
			ReadTimeout:       30 * time.Second,
			WriteTimeout:      30 * time.Second,
			IdleTimeout:       2 * time.Minute,
		},
	}
}

// Start listens on the address and serves in the background.
func (s *Server) Start(context.Context) error {
	ln, err := net.Listen("tcp", s.addr)
	if err != nil {
		return fmt.Errorf("http listen on %s: %w", s.addr, err)
	}
	s.ln = ln
	s.done = make(chan struct{})
	s.log.Info("http listening", zap.String("addr", ln.Addr().String()))
	go func() {
		defer close(s.done)
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("http server failed", zap.Error(err))
		}
	}()
	return nil
}

// Addr is the address the server listens on, once started.
func (s *Server) Addr() string {
	if s.ln == nil {
		return s.addr
	}
	return s.ln.Addr().String()
}

// Stop stops accepting requests and waits for the running ones, within ctx.
func (s *Server) Stop(ctx context.Context) error {
	if s.ln == nil {
		return nil
	}
	err := s.srv.Shutdown(ctx)
	<-s.done
	return err
}

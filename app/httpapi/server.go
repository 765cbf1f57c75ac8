// Package httpapi serves dispatchd's HTTP endpoints: /healthz, /readyz,
// /metrics, and POST /v1/messages, the seed's send endpoint, on one
// listener or, with http.admin_addr, on two.
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

// Listener is one address and what it serves.
type Listener struct {
	// Name tells the listeners apart in logs and errors: "http" or "admin".
	Name string
	// Addr is host:port; port 0 picks a free one.
	Addr string
	// Handler serves every request of the listener.
	Handler http.Handler
}

// Server serves its listeners. Start listens on all of them synchronously,
// so a busy port fails start-up, and serves in goroutines until Stop.
type Server struct {
	log *zap.Logger
	ls  []*serving
}

// serving is one listener and its server.
type serving struct {
	Listener
	srv  *http.Server
	ln   net.Listener
	done chan struct{}
}

// NewServer returns a server for the listeners; the first is the main one.
func NewServer(log *zap.Logger, listeners ...Listener) *Server {
	s := &Server{log: log}
	for _, l := range listeners {
		s.ls = append(s.ls, &serving{Listener: l, srv: &http.Server{
			Handler:           l.Handler,
			ReadHeaderTimeout: 5 * time.Second,
			// POST /v1/messages sets its own deadlines from http.send.timeout.
			ReadTimeout:  30 * time.Second,
			WriteTimeout: 30 * time.Second,
			IdleTimeout:  2 * time.Minute,
		}})
	}
	return s
}

// Start listens on every address and serves in the background. If one
// address is busy, the ones already bound are released.
func (s *Server) Start(context.Context) error {
	for i, l := range s.ls {
		ln, err := net.Listen("tcp", l.Addr)
		if err != nil {
			for _, bound := range s.ls[:i] {
				_ = bound.ln.Close()
				bound.ln = nil
			}
			return fmt.Errorf("%s listen on %s: %w", l.Name, l.Addr, err)
		}
		l.ln = ln
	}
	for _, l := range s.ls {
		l.done = make(chan struct{})
		s.log.Info("http listening", zap.String("listener", l.Name), zap.String("addr", l.ln.Addr().String()))
		go func() {
			defer close(l.done)
			if err := l.srv.Serve(l.ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				s.log.Error("http server failed", zap.String("listener", l.Name), zap.Error(err))
			}
		}()
	}
	return nil
}

// Addr is the main listener's address, once started.
func (s *Server) Addr() string { return s.ls[0].addr() }

// AdminAddr is where /healthz, /readyz and /metrics are served: the admin
// listener's address, or the main one's when there is none.
func (s *Server) AdminAddr() string { return s.ls[len(s.ls)-1].addr() }

func (l *serving) addr() string {
	if l.ln == nil {
		return l.Addr
	}
	return l.ln.Addr().String()
}

// Stop stops accepting requests and waits for the running ones, within ctx;
// the main listener first, so probes answer until the sends are done.
func (s *Server) Stop(ctx context.Context) error {
	var errs []error
	for _, l := range s.ls {
		if l.ln == nil {
			continue
		}
		if err := l.srv.Shutdown(ctx); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", l.Name, err))
		}
		<-l.done
	}
	return errors.Join(errs...)
}

package httpapi_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/zap"

	"dispatchd/app/httpapi"
)

// get fetches url and returns the status and body.
func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, resp.Body.Close())
	require.NoError(t, err)
	return resp.StatusCode, string(body)
}

func TestServer_serves_on_an_ephemeral_port(t *testing.T) {
	s := httpapi.NewServer(zap.NewNop(), httpapi.Listener{Name: "http", Addr: "127.0.0.1:0",
		Handler: routes(readiness{joined: true}, &recordingSender{})})
	require.NoError(t, s.Start(context.Background()))
	t.Cleanup(func() { _ = s.Stop(context.Background()) })

	host, port, err := net.SplitHostPort(s.Addr())
	require.NoError(t, err)
	require.Equal(t, "127.0.0.1", host)
	require.NotEqual(t, "0", port)
	require.Equal(t, s.Addr(), s.AdminAddr(), "one listener serves the probes too")

	code, body := get(t, "http://"+s.Addr()+"/healthz")
	require.Equal(t, http.StatusOK, code)
	require.JSONEq(t, `{"status":"ok"}`, body)

	require.NoError(t, s.Stop(context.Background()))
	_, err = http.Get("http://" + s.Addr() + "/healthz")
	require.Error(t, err, "a stopped server accepts no connections")
}

func TestServer_admin_listener_serves_the_probes_and_the_main_one_only_sends(t *testing.T) {
	cfg := sendOn()
	cfg.HTTP.AdminAddr = "127.0.0.1:0"
	main, admin := listeners(t, cfg, &recordingSender{})
	require.NotNil(t, admin)
	s := httpapi.NewServer(zap.NewNop(),
		httpapi.Listener{Name: "http", Addr: "127.0.0.1:0", Handler: main},
		httpapi.Listener{Name: "admin", Addr: "127.0.0.1:0", Handler: admin})
	require.NoError(t, s.Start(context.Background()))
	t.Cleanup(func() { _ = s.Stop(context.Background()) })
	require.NotEqual(t, s.Addr(), s.AdminAddr())

	tests := []struct {
		name     string
		addr     string
		path     string
		wantCode int
	}{
		{name: "admin_healthz", addr: s.AdminAddr(), path: "/healthz", wantCode: http.StatusOK},
		{name: "admin_readyz", addr: s.AdminAddr(), path: "/readyz", wantCode: http.StatusOK},
		{name: "admin_metrics", addr: s.AdminAddr(), path: "/metrics", wantCode: http.StatusOK},
		{name: "admin_has_no_send", addr: s.AdminAddr(), path: "/v1/messages", wantCode: http.StatusNotFound},
		{name: "main_has_no_healthz", addr: s.Addr(), path: "/healthz", wantCode: http.StatusNotFound},
		{name: "main_has_no_metrics", addr: s.Addr(), path: "/metrics", wantCode: http.StatusNotFound},
		{name: "main_has_the_send_route", addr: s.Addr(), path: "/v1/messages", wantCode: http.StatusMethodNotAllowed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _ := get(t, "http://"+tt.addr+tt.path)
			require.Equal(t, tt.wantCode, code)
		})
	}

	require.NoError(t, s.Stop(context.Background()))
	for _, addr := range []string{s.Addr(), s.AdminAddr()} {
		_, err := http.Get("http://" + addr + "/healthz")
		require.Error(t, err, "Stop closes every listener")
	}
}

func TestServer_start_fails_on_a_busy_address(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { _ = ln.Close() })
	busy := ln.Addr().String()

	tests := []struct {
		name      string
		listeners []httpapi.Listener
		wantErr   string
	}{
		{name: "main_busy", wantErr: "http listen on " + busy, listeners: []httpapi.Listener{
			{Name: "http", Addr: busy, Handler: http.NotFoundHandler()}}},
		{name: "admin_busy", wantErr: "admin listen on " + busy, listeners: []httpapi.Listener{
			{Name: "http", Addr: "127.0.0.1:0", Handler: http.NotFoundHandler()},
			{Name: "admin", Addr: busy, Handler: http.NotFoundHandler()}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := httpapi.NewServer(zap.NewNop(), tt.listeners...)
			require.ErrorContains(t, s.Start(context.Background()), tt.wantErr)
			require.NoError(t, s.Stop(context.Background()), "stopping a server that never started is a no-op")
			// What was bound before the failure is free again.
			for _, l := range tt.listeners[:len(tt.listeners)-1] {
				require.Equal(t, l.Addr, s.Addr(), "no address is kept from a failed start")
			}
		})
	}
}

func TestServer_stop_before_start(t *testing.T) {
	s := httpapi.NewServer(zap.NewNop(), httpapi.Listener{Name: "http", Addr: "127.0.0.1:0", Handler: http.NotFoundHandler()})
	require.Equal(t, "127.0.0.1:0", s.Addr())
	require.NoError(t, s.Stop(context.Background()))
}

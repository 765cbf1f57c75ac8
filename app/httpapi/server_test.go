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

func TestServer_serves_on_an_ephemeral_port(t *testing.T) {
	s := httpapi.NewServer("127.0.0.1:0", routes(readiness{joined: true}, &recordingSender{}), zap.NewNop())
	require.NoError(t, s.Start(context.Background()))
	t.Cleanup(func() { _ = s.Stop(context.Background()) })

	host, port, err := net.SplitHostPort(s.Addr())
	require.NoError(t, err)
	require.Equal(t, "127.0.0.1", host)
	require.NotEqual(t, "0", port)

	resp, err := http.Get("http://" + s.Addr() + "/healthz")
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, resp.Body.Close())
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.JSONEq(t, `{"status":"ok"}`, string(body))

	require.NoError(t, s.Stop(context.Background()))
	_, err = http.Get("http://" + s.Addr() + "/healthz")
	require.Error(t, err, "a stopped server accepts no connections")
}

func TestServer_start_fails_on_a_busy_address(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { _ = ln.Close() })

	s := httpapi.NewServer(ln.Addr().String(), http.NotFoundHandler(), zap.NewNop())
	err = s.Start(context.Background())
	require.ErrorContains(t, err, "http listen on "+ln.Addr().String())
	require.NoError(t, s.Stop(context.Background()), "stopping a server that never started is a no-op")
}

func TestServer_stop_before_start(t *testing.T) {
	s := httpapi.NewServer("127.0.0.1:0", http.NotFoundHandler(), zap.NewNop())
	require.Equal(t, "127.0.0.1:0", s.Addr())
	require.NoError(t, s.Stop(context.Background()))
}

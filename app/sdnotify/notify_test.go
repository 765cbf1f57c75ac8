package sdnotify_test

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"dispatchd/app/sdnotify"
)

func TestNotifier_sends_each_state_as_one_datagram(t *testing.T) {
	cases := []struct {
		name string
		send func(*sdnotify.Notifier) error
		want string
	}{
		{"ready", (*sdnotify.Notifier).Ready, "READY=1"},
		{"stopping", (*sdnotify.Notifier).Stopping, "STOPPING=1"},
		{"watchdog", (*sdnotify.Notifier).Watchdog, "WATCHDOG=1"},
		{"status", func(n *sdnotify.Notifier) error { return n.Status("draining") }, "STATUS=draining"},
		{"raw_multi_line", func(n *sdnotify.Notifier) error { return n.Notify("READY=1\nSTATUS=up") }, "READY=1\nSTATUS=up"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := listen(t)
			n := sdnotify.New(s.addr)
			require.True(t, n.Enabled())
			require.NoError(t, tc.send(n))
			require.Equal(t, []string{tc.want}, s.pending(t))
		})
	}
}

func TestNotifier_reaches_an_abstract_socket(t *testing.T) {
	s := listenAt(t, abstractName(t))
	n := sdnotify.New(s.addr)
	require.NoError(t, n.Ready())
	require.NoError(t, n.Watchdog())
	require.Equal(t, []string{"READY=1", "WATCHDOG=1"}, s.pending(t))
}

func TestFromEnv_reads_NOTIFY_SOCKET(t *testing.T) {
	s := listen(t)
	t.Setenv("NOTIFY_SOCKET", s.addr)
	require.NoError(t, sdnotify.FromEnv().Stopping())
	require.Equal(t, []string{"STOPPING=1"}, s.pending(t))
}

func TestNotifier_without_socket_does_nothing(t *testing.T) {
	t.Setenv("NOTIFY_SOCKET", "")
	cases := []struct {
		name string
		n    *sdnotify.Notifier
	}{
		{"nil", nil},
		{"empty_path", sdnotify.New("")},
		{"empty_env", sdnotify.FromEnv()},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			require.False(t, tc.n.Enabled())
			require.NoError(t, tc.n.Ready())
			require.NoError(t, tc.n.Watchdog())
			require.NoError(t, tc.n.Stopping())
			require.NoError(t, tc.n.Status("x"))
		})
	}
}

func TestNotifier_reports_a_missing_socket(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nobody-listens.sock")
	err := sdnotify.New(path).Ready()
	require.ErrorContains(t, err, path)
}

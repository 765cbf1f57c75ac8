package sdnotify_test

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"dispatchd/app/sdnotify"
)

// group is a Membership the test flips.
type group struct{ joined atomic.Bool }

func (g *group) Joined() bool { return g.joined.Load() }

// checkedHealth answers healthy and closes reached once it was asked n times.
type checkedHealth struct {
	healthy bool
	n       int32
	calls   atomic.Int32
	reached chan struct{}
}

func newCheckedHealth(healthy bool, n int32) *checkedHealth {
	return &checkedHealth{healthy: healthy, n: n, reached: make(chan struct{})}
}

func (h *checkedHealth) Healthy() bool {
	if h.calls.Add(1) == h.n {
		close(h.reached)
	}
	return h.healthy
}

func agent(s *sink, g *group, h sdnotify.Health, watchdog time.Duration) *sdnotify.Agent {
	return sdnotify.NewAgent(sdnotify.AgentConfig{
		Notifier: sdnotify.New(s.addr), Joined: g, Health: h, Watchdog: watchdog, Poll: time.Millisecond,
	})
}

func TestAgent_stopped_before_the_join_sends_only_STOPPING(t *testing.T) {
	s := listen(t)
	a := agent(s, &group{}, newCheckedHealth(true, 0), time.Millisecond)
	a.Start()
	a.Stop()
	require.Equal(t, []string{"STOPPING=1"}, s.pending(t))
}

func TestAgent_sends_READY_once_joined_and_STOPPING_on_stop(t *testing.T) {
	s := listen(t)
	g := &group{}
	a := agent(s, g, newCheckedHealth(true, 0), 0)
	a.Start()
	g.joined.Store(true)
	require.Equal(t, "READY=1", s.next(t))
	a.Stop()
	require.Equal(t, []string{"STOPPING=1"}, s.pending(t))
}

func TestAgent_pings_the_watchdog_while_healthy(t *testing.T) {
	s := listen(t)
	g := &group{}
	g.joined.Store(true)
	a := agent(s, g, newCheckedHealth(true, 0), time.Millisecond)
	a.Start()
	require.Empty(t, s.until(t, "READY=1"))
	require.Equal(t, "WATCHDOG=1", s.next(t))
	require.Equal(t, "WATCHDOG=1", s.next(t))
	a.Stop()
	rest := s.pending(t)
	require.Equal(t, "STOPPING=1", rest[len(rest)-1])
	for _, d := range rest[:len(rest)-1] {
		require.Equal(t, "WATCHDOG=1", d)
	}
}

func TestAgent_skips_the_watchdog_while_unhealthy(t *testing.T) {
	s := listen(t)
	g := &group{}
	g.joined.Store(true)
	h := newCheckedHealth(false, 3)
	a := agent(s, g, h, time.Millisecond)
	a.Start()
	<-h.reached
	a.Stop()
	require.Equal(t, []string{"READY=1", "STOPPING=1"}, s.pending(t))
}

func TestAgent_without_socket_does_nothing(t *testing.T) {
	a := sdnotify.NewAgent(sdnotify.AgentConfig{Notifier: sdnotify.New(""), Joined: &group{}, Health: newCheckedHealth(true, 0)})
	a.Start()
	a.Stop()
}

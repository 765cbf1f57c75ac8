package kafka

import (
	"sync/atomic"
	"time"
)

// deadlines tells sends when the delivery timeout has passed, with one ticker
// for the producer: a timer per send would cost an allocation and two
// timer-heap updates for every record. A deadline never passes early and at
// most three ticks (under 5% of the timeout) late.
type deadlines struct {
	now  atomic.Pointer[deadline] // what a send that starts now waits for
	stop chan struct{}
	done chan struct{}
}

type deadline struct{ passed chan struct{} }

// startDeadlines ticks every timeout/64 (at least every millisecond). The
// deadline handed out during a tick passes ceil(timeout/tick)+1 ticks after
// that tick ends; the extra tick absorbs a late wake-up of the ticker.
func startDeadlines(timeout time.Duration) *deadlines {
	tick := max(timeout/64, time.Millisecond)
	ring := make([]*deadline, (timeout+tick-1)/tick+2)
	for i := range ring {
		ring[i] = &deadline{passed: make(chan struct{})}
	}
	d := &deadlines{stop: make(chan struct{}), done: make(chan struct{})}
	d.now.Store(ring[len(ring)-1])
	go d.run(tick, ring)
	return d
}

// fromNow returns a channel that is closed once the timeout has passed.
func (d *deadlines) fromNow() <-chan struct{} { return d.now.Load().passed }

// run passes, at each tick, the oldest deadline in ring and hands out a new
// one in its place.
func (d *deadlines) run(tick time.Duration, ring []*deadline) {
	defer close(d.done)
	t := time.NewTicker(tick)
	defer t.Stop()
	for i := 0; ; i = (i + 1) % len(ring) {
		select {
		case <-t.C:
		case <-d.stop:
			return
		}
		close(ring[i].passed)
		ring[i] = &deadline{passed: make(chan struct{})}
		d.now.Store(ring[i])
	}
}

// close stops the ticker; deadlines handed out and not yet passed never pass.
func (d *deadlines) close() {
	close(d.stop)
	<-d.done
}

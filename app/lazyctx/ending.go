// Package lazyctx is the ending half of a context.Context for contexts that
// are made per message and mostly never waited on: it makes the Done channel,
// and joins whatever can end it (a parent, a timer), only when Done is first
// asked for. A context.WithCancel or WithTimeout per message pays a channel,
// a timer and a registration with its parent, under the parent's lock, for
// every message, where most handlers compute and return.
//
// It has no fx module: it wires nothing, and app/kafka and app/router,
// which may not import each other, both build their per-message contexts on
// it.
package lazyctx

import "sync"

// Ending is when and why a context ended. Its zero value has not ended and
// has no Done channel yet.
type Ending struct {
	mu   sync.Mutex
	done chan struct{} // made by the first Done
	err  error         // why it ended, once it did
	stop func()        // undoes arm, once armed
}

// Done returns the channel closed when the context ends. The first call
// makes it: closed at once if now reports an end already, else armed by
// arm, which joins what can end the context (it calls End) and returns
// what undoes that. arm runs with the lock held, so what it starts must
// call End from another goroutine, as context.AfterFunc and
// time.AfterFunc do.
func (e *Ending) Done(now func() error, arm func() (stop func())) <-chan struct{} {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.done != nil {
		return e.done
	}
	e.done = make(chan struct{})
	if e.err == nil {
		e.err = now()
	}
	if e.err != nil {
		close(e.done)
		return e.done
	}
	e.stop = arm()
	return e.done
}

// Err returns why the context ended, or nil. Until Done is asked for,
// nobody can be waiting on it, so now, which reads the parent and the
// clock, decides; once armed, End does.
func (e *Ending) Err(now func() error) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.err != nil || e.done != nil {
		return e.err
	}
	e.err = now()
	return e.err
}

// End ends the context with err, unless it already ended.
func (e *Ending) End(err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.err == nil {
		e.err = err
	}
	if e.done == nil {
		return
	}
	select {
	case <-e.done:
		return
	default:
		close(e.done)
	}
	if e.stop != nil {
		e.stop()
	}
}

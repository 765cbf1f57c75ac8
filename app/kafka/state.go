package kafka

import "sync/atomic"

// GroupState is what the rest of the process may know about the consumer's
// place in its group. It is safe for concurrent use.
type GroupState struct {
	joined   atomic.Bool
	stopping atomic.Bool
}

// NewGroupState returns the state of a member that has not joined yet.
func NewGroupState() *GroupState { return &GroupState{} }

// Ready reports whether the member is in its group and consuming, and not
// shutting down: the answer of /readyz.
func (s *GroupState) Ready() bool { return s.joined.Load() && !s.stopping.Load() }

// Joined reports whether the member has joined its group.
func (s *GroupState) Joined() bool { return s.joined.Load() }

// SetStopping marks the start of shutdown; Ready is false from then on.
func (s *GroupState) SetStopping() { s.stopping.Store(true) }

// Stopping reports whether shutdown has begun.
func (s *GroupState) Stopping() bool { return s.stopping.Load() }

func (s *GroupState) setJoined(v bool) { s.joined.Store(v) }

// Observer is told what the consumer does, for metrics and health.
// Implementations must be cheap and safe for concurrent use.
type Observer interface {
	// Generation is called once for every group generation this member takes
	// part in: the first join and each rebalance after it. Under
	// cooperative-sticky a rebalance does not start a new session, so this,
	// not a session start, is what counts rebalances.
	Generation(generation int32)
	// ClaimStarted is called when this member starts consuming a partition.
	ClaimStarted(topic string, partition int32)
	// ClaimEnded is called when it stops (revoked, session ended, closing).
	ClaimEnded(topic string, partition int32)
	// Consumed is called for each record taken from a claim, with the
	// partition's high-water mark at that moment.
	Consumed(topic string, partition int32, offset, highWaterMark int64)
	// Marked is called when a record's offset is marked for commit.
	Marked(topic string, partition int32, offset int64)
	// Committed is called for each partition whose commit the coordinator
	// confirmed, with the next offset it now holds for the group.
	Committed(topic string, partition int32, next int64)
	// CommitFailed is called when a commit of n partitions was not
	// confirmed; it is retried every commit interval.
	CommitFailed(n int)
}

// Observers fans every call out to each of its observers, in order.
type Observers []Observer

// Generation implements Observer.
func (os Observers) Generation(g int32) {
	for _, o := range os {
		o.Generation(g)
	}
}

// ClaimStarted implements Observer.
func (os Observers) ClaimStarted(t string, p int32) {
	for _, o := range os {
		o.ClaimStarted(t, p)
	}
}

// ClaimEnded implements Observer.
func (os Observers) ClaimEnded(t string, p int32) {
	for _, o := range os {
		o.ClaimEnded(t, p)
	}
}

// Consumed implements Observer.
func (os Observers) Consumed(t string, p int32, offset, hwm int64) {
	for _, o := range os {
		o.Consumed(t, p, offset, hwm)
	}
}

// Marked implements Observer.
func (os Observers) Marked(t string, p int32, offset int64) {
	for _, o := range os {
		o.Marked(t, p, offset)
	}
}

// Committed implements Observer.
func (os Observers) Committed(t string, p int32, next int64) {
	for _, o := range os {
		o.Committed(t, p, next)
	}
}

// CommitFailed implements Observer.
func (os Observers) CommitFailed(n int) {
	for _, o := range os {
		o.CommitFailed(n)
	}
}

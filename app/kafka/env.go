package kafka

import (
	"context"
	"sync"
	"time"

	"github.com/IBM/sarama"
	"github.com/ThreeDotsLabs/watermill/message"
	"go.uber.org/zap"
)

// env is what the parts of one subscription need from above. newSubscription
// builds it once and hands it to the claim handler, which hands it to each
// partition run, so no part reaches up through its parents. It does not
// change once built.
type env struct {
	obs   Observer
	state *GroupState
	log   *zap.Logger // names the topic and the group

	commitInterval time.Duration // how often a session commits what is marked
	sessionTimeout time.Duration // consumer.session_timeout: how long marks may wait for the coordinator
	endSession     func()        // ends the current group session; the subscription rejoins
	commits        *commitBook   // what is marked, and what the broker confirmed
	nackBackoff    time.Duration // how long a nacked message waits before its next hand-over
	nackBackoffMax time.Duration // the cap of that wait, which doubles with each nack
	limit          int           // a window's size
	laneOf         func(*sarama.ConsumerMessage) string

	out      chan<- *message.Message // the subscription's reader takes messages here
	closing  <-chan struct{}         // closed when the subscription stops: take no new records
	drainCtx context.Context         // parent of every message's context; ends when the drain budget is spent
}

// isClosing reports whether the subscription has begun to stop.
func (e env) isClosing() bool {
	select {
	case <-e.closing:
		return true
	default:
		return false
	}
}

// claimGate admits claims until the subscription stops, and lets the stop
// wait for the ones it admitted.
type claimGate struct {
	mu      sync.Mutex // orders close against enter, so wait sees every admitted claim
	closing chan struct{}
	running sync.WaitGroup
}

func newClaimGate() *claimGate { return &claimGate{closing: make(chan struct{})} }

// enter admits a claim, unless the gate is closed; an admitted claim calls
// leave when it returns.
func (g *claimGate) enter() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	select {
	case <-g.closing:
		return false
	default:
	}
	g.running.Add(1)
	return true
}

// leave ends a claim that enter admitted.
func (g *claimGate) leave() { g.running.Done() }

// close admits no more claims; it is called once.
func (g *claimGate) close() {
	g.mu.Lock()
	close(g.closing)
	g.mu.Unlock()
}

// wait returns once every admitted claim has left.
func (g *claimGate) wait() { g.running.Wait() }

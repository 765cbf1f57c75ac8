package kafka

import (
	"fmt"
	"sync"
	"time"

	"github.com/IBM/sarama"
	"go.uber.org/zap"
)

// StableLag measures, under read_committed, each owned partition's lag to
// its last stable offset (LSO) rather than its high-water mark: the records
// of an open transaction sit between the two and are not readable yet. It
// asks each partition leader for the LSO every interval, one ListOffsets
// request per leader, and is an Observer, to know the partitions owned and
// how far the member has got in each.
//
// Transaction markers, and the records of aborted transactions, take
// offsets below the LSO that no record is delivered at, and sarama does not
// tell its position past them. So a partition whose records are all
// finished, that took none for a whole interval while its LSO stood still,
// is taken to be at the LSO: it would have been given any record there was.
// A record that arrives below it after all undoes that.
//
// Between polls each record taken or finished moves the lag at once, to the
// last LSO known; a partition's first record asks for a poll at once, so a
// short backlog shows before the interval has passed.
type StableLag struct {
	brokers []string
	sc      *sarama.Config
	every   time.Duration
	set     func(topic string, partition int32, lag int64)
	log     *zap.Logger

	mu    sync.Mutex
	parts map[partitionKey]*stablePart

	client sarama.Client
	kick   chan struct{} // asks for a poll before the next tick
	stop   chan struct{}
	done   chan struct{}
}

// stablePart is what StableLag knows of one owned partition.
type stablePart struct {
	next    int64  // offset after the last record taken; -1 before the first
	marked  int64  // offset after the last record finished
	taken   uint64 // records taken, to tell whether any came between ticks
	lso     int64  // the last LSO known; -1 before the first poll
	tickLSO int64  // the LSO as of the last tick
	seen    uint64 // taken as of the last tick
	floor   int64  // the member is taken to be past every record below it; -1 none
}

// NewStableLag returns a StableLag that calls set with each owned
// partition's lag every interval, once Start has connected it.
func NewStableLag(brokers []string, sc *sarama.Config, every time.Duration,
	set func(topic string, partition int32, lag int64), log *zap.Logger) *StableLag {
	return &StableLag{brokers: brokers, sc: sc, every: every, set: set, log: log, parts: map[partitionKey]*stablePart{},
		kick: make(chan struct{}, 1)}
}

// Start connects the client the LSO is asked with and starts polling.
func (s *StableLag) Start() error {
	if s == nil {
		return nil // read_uncommitted: nothing to measure
	}
	c, err := sarama.NewClient(s.brokers, s.sc)
	if err != nil {
		return fmt.Errorf("stable lag: connect: %w", err)
	}
	s.client, s.stop, s.done = c, make(chan struct{}), make(chan struct{})
	go s.run()
	return nil
}

// Stop ends the polling and closes the client; it is safe without Start,
// and both are on a nil StableLag.
func (s *StableLag) Stop() error {
	if s == nil || s.client == nil {
		return nil
	}
	close(s.stop)
	<-s.done
	return s.client.Close()
}

func (s *StableLag) run() {
	defer close(s.done)
	t := time.NewTicker(s.every)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			s.update(s.poll(), true)
		case <-s.kick:
			s.update(s.poll(), false)
		}
	}
}

// poll asks for the LSO of the partitions owned now.
func (s *StableLag) poll() map[partitionKey]int64 {
	lso, err := s.stableOffsets(s.owned())
	if err != nil {
		s.log.Debug("last stable offsets", zap.Error(err))
	}
	return lso
}

// owned lists the partitions owned now.
func (s *StableLag) owned() []partitionKey {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]partitionKey, 0, len(s.parts))
	for k := range s.parts {
		out = append(out, k)
	}
	return out
}

// update takes one poll's answers and sets the lag of each partition. On a
// tick, not a poll asked for early, it also moves the floor of a partition
// that was given nothing since the last tick, so the interval is whole.
func (s *StableLag) update(lso map[partitionKey]int64, tick bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, end := range lso {
		p, ok := s.parts[k]
		if !ok {
			continue // revoked meanwhile: its lag is no longer ours to report
		}
		if tick {
			idle := p.marked >= p.next && p.taken == p.seen && end == p.tickLSO
			if idle && p.floor < end {
				p.floor = end
			}
			p.tickLSO, p.seen = end, p.taken
		}
		p.lso = end
		s.report(k, p)
	}
}

// report sets p's lag: from where the member is to the last LSO known, or
// to the last record taken if that is further. Called with s.mu held.
func (s *StableLag) report(k partitionKey, p *stablePart) {
	if p.lso < 0 || (p.next < 0 && p.floor < 0) {
		return // no LSO yet, or nothing taken: where the member starts is not known
	}
	s.set(k.topic, k.partition, max(max(p.lso, p.next)-max(p.marked, p.floor), 0))
}

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
type StableLag struct {
	brokers []string
	sc      *sarama.Config
	every   time.Duration
	set     func(topic string, partition int32, lag int64)
	log     *zap.Logger

	mu    sync.Mutex
	parts map[partitionKey]*stablePart

	client sarama.Client
	stop   chan struct{}
	done   chan struct{}
}

// stablePart is what StableLag knows of one owned partition.
type stablePart struct {
	next    int64  // offset after the last record taken; -1 before the first
	marked  int64  // offset after the last record finished
	taken   uint64 // records taken, to tell whether any came since the last poll
	lastLSO int64  // the LSO of the last poll; -1 before it
	seen    uint64 // taken as of the last poll
	floor   int64  // the member is known to be past every record below it
}

// NewStableLag returns a StableLag that calls set with each owned
// partition's lag every interval, once Start has connected it.
func NewStableLag(brokers []string, sc *sarama.Config, every time.Duration,
	set func(topic string, partition int32, lag int64), log *zap.Logger) *StableLag {
	return &StableLag{brokers: brokers, sc: sc, every: every, set: set, log: log, parts: map[partitionKey]*stablePart{}}
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
			lso, err := s.stableOffsets(s.owned())
			if err != nil {
				s.log.Debug("last stable offsets", zap.Error(err))
			}
			s.update(lso)
		}
	}
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

// update sets the lag of every owned partition whose LSO is known, and
// moves its floor past a gap no record came from.
func (s *StableLag) update(lso map[partitionKey]int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, end := range lso {
		p, ok := s.parts[k]
		if !ok {
			continue // revoked meanwhile: its lag is no longer ours to report
		}
		idle := p.marked >= p.next && p.taken == p.seen && end == p.lastLSO
		if idle && p.floor < end {
			p.floor = end
		}
		p.lastLSO, p.seen = end, p.taken
		pos := max(p.marked, p.floor)
		if p.next < 0 && p.floor < 0 {
			continue // nothing taken yet: where the member starts is not known
		}
		s.set(k.topic, k.partition, max(end-pos, 0))
	}
}

// ClaimStarted implements Observer.
func (s *StableLag) ClaimStarted(topic string, partition int32) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.parts[partitionKey{topic, partition}] = &stablePart{next: -1, marked: -1, lastLSO: -1, floor: -1}
}

// ClaimEnded implements Observer. It must come before the observer that
// removes the lag series, so no poll sets it again.
func (s *StableLag) ClaimEnded(topic string, partition int32) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.parts, partitionKey{topic, partition})
}

// Consumed implements Observer.
func (s *StableLag) Consumed(topic string, partition int32, offset, _ int64) {
	s.with(topic, partition, func(p *stablePart) {
		if p.marked < 0 {
			p.marked = offset // the claim's first record: the member starts here
		}
		p.next, p.taken = max(p.next, offset+1), p.taken+1
	})
}

// Marked implements Observer.
func (s *StableLag) Marked(topic string, partition int32, offset int64) {
	s.with(topic, partition, func(p *stablePart) { p.marked = max(p.marked, offset+1) })
}

// Generation implements Observer.
func (s *StableLag) Generation(int32) {}

// Committed implements Observer.
func (s *StableLag) Committed(string, int32, int64) {}

// CommitFailed implements Observer.
func (s *StableLag) CommitFailed(int) {}

func (s *StableLag) with(topic string, partition int32, f func(*stablePart)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p, ok := s.parts[partitionKey{topic, partition}]; ok {
		f(p)
	}
}

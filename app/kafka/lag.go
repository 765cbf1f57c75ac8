package kafka

import (
	"fmt"
	"sync"
	"time"

	"github.com/IBM/sarama"
	"go.uber.org/zap"
)

// Lag is the one place that owns each owned partition's lag: its end
// offset less the member's commit point, records taken and not yet finished
// included (one mark may move the commit point past many records). It
// learns the partitions owned, and how far the member has got in each, as
// an Observer, and hands each new lag to set.
//
// Which end depends on the isolation level of the config it is given.
// Under read_uncommitted it is the high-water mark each record arrives
// with. Under read_committed it is the last stable offset (LSO): the
// records of an open transaction sit between the two and are not readable
// yet. No record brings the LSO, so Lag asks each partition leader for it
// every interval, one ListOffsets request per leader.
//
// Transaction markers, and the records of aborted transactions, take
// offsets below the LSO that no record is delivered at, and sarama does not
// tell its position past them. So under read_committed a partition whose
// records are all finished, that took none for a whole interval while its
// LSO stood still, is taken to be at the LSO: it would have been given any
// record there was. A record that arrives below it after all undoes that.
//
// Between polls each record taken or finished moves the lag at once, to the
// last LSO known; a partition's first record asks for a poll at once, so a
// short backlog shows before the interval has passed.
type Lag struct {
	stable  bool // read_committed: the end is the polled LSO, not the record's high-water mark
	brokers []string
	sc      *sarama.Config
	every   time.Duration
	set     func(topic string, partition int32, lag int64)
	log     *zap.Logger

	mu    sync.Mutex
	parts map[partitionKey]*lagPart

	client sarama.Client
	kick   chan struct{} // asks for a poll before the next tick
	stop   chan struct{}
	done   chan struct{}
}

// lagPart is what Lag knows of one owned partition.
type lagPart struct {
	next    int64  // offset after the last record taken; -1 before the first
	marked  int64  // offset after the last record finished: the commit point
	taken   uint64 // records taken, to tell whether any came between ticks
	end     int64  // the last end offset known (high-water mark or LSO); -1 before the first
	tickEnd int64  // the LSO as of the last tick
	seen    uint64 // taken as of the last tick
	floor   int64  // the member is taken to be past every record below it; -1 none
}

// NewLag returns a Lag that calls set with each owned partition's lag,
// measured to the end sc's consumer isolation level reads to. Under
// read_committed it polls every interval once Start has connected it.
func NewLag(brokers []string, sc *sarama.Config, every time.Duration,
	set func(topic string, partition int32, lag int64), log *zap.Logger) *Lag {
	return &Lag{stable: sc.Consumer.IsolationLevel == sarama.ReadCommitted, brokers: brokers, sc: sc, every: every,
		set: set, log: log, parts: map[partitionKey]*lagPart{}, kick: make(chan struct{}, 1)}
}

// Start connects the client the LSO is asked with and starts polling,
// under read_committed.
func (s *Lag) Start() error {
	if !s.stable {
		return nil // read_uncommitted: every record brings its end
	}
	c, err := sarama.NewClient(s.brokers, s.sc)
	if err != nil {
		return fmt.Errorf("stable lag: connect: %w", err)
	}
	s.client, s.stop, s.done = c, make(chan struct{}), make(chan struct{})
	go s.run()
	return nil
}

// Stop ends the polling and closes the client; it is safe without Start.
func (s *Lag) Stop() error {
	if s.client == nil {
		return nil
	}
	close(s.stop)
	<-s.done
	return s.client.Close()
}

func (s *Lag) run() {
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
func (s *Lag) poll() map[partitionKey]int64 {
	lso, err := s.stableOffsets(s.owned())
	if err != nil {
		s.log.Debug("last stable offsets", zap.Error(err))
	}
	return lso
}

// owned lists the partitions owned now.
func (s *Lag) owned() []partitionKey {
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
func (s *Lag) update(lso map[partitionKey]int64, tick bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, end := range lso {
		p, ok := s.parts[k]
		if !ok {
			continue // revoked meanwhile: its lag is no longer ours to report
		}
		if tick {
			idle := p.marked >= p.next && p.taken == p.seen && end == p.tickEnd
			if idle && p.floor < end {
				p.floor = end
			}
			p.tickEnd, p.seen = end, p.taken
		}
		p.end = end
		s.report(k, p)
	}
}

// report sets p's lag: from where the member is to the last end known, or
// to the last record taken if that is further. Called with s.mu held.
func (s *Lag) report(k partitionKey, p *lagPart) {
	if p.end < 0 || (p.next < 0 && p.floor < 0) {
		return // no end yet, or nothing taken: where the member starts is not known
	}
	s.set(k.topic, k.partition, max(max(p.end, p.next)-max(p.marked, p.floor), 0))
}

package kafka

import (
	"fmt"
	"sort"
	"sync"
	"time"
)

// Progress tracks, per owned partition, which records it has taken and not
// finished, when it last finished a message, and when its offsets were last
// committed. It answers the progress-based health check: a partition that
// holds unfinished records and has finished nothing for the stall timeout is
// stalled; an idle one is not. It is an Observer and safe for concurrent use.
//
// Unfinished records, not the distance to the high-water mark, make a
// partition busy: transaction markers, and under read_committed the records
// of aborted transactions, take offsets below the high-water mark that no
// record is ever delivered at, so a partition whose upstream writes
// transactions would never catch up with it, and would read as stalled once
// idle. sarama does not tell its position past them.
type Progress struct {
	stall time.Duration
	now   func() time.Time

	mu    sync.Mutex
	parts map[partitionKey]*partitionProgress
}

type partitionKey struct {
	topic     string
	partition int32
}

type partitionProgress struct {
	progressed  time.Time // last finished message, or when the claim started
	marked      int64     // next offset to commit
	committed   int64     // next offset as of the last commit
	committedAt time.Time // last commit that moved the offset, or when the claim started
	unfinished  []taken   // records taken and not finished, in offset order; at most a window's worth
}

// taken is a record taken from the claim, and when.
type taken struct {
	offset int64
	at     time.Time
}

// NewProgress returns a tracker that calls a partition stalled after stall.
func NewProgress(stall time.Duration) *Progress {
	return &Progress{stall: stall, now: time.Now, parts: map[partitionKey]*partitionProgress{}}
}

// SetClock replaces the clock, for tests.
func (p *Progress) SetClock(now func() time.Time) { p.now = now }

// ClaimStarted implements Observer.
func (p *Progress) ClaimStarted(topic string, partition int32) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	p.parts[partitionKey{topic, partition}] = &partitionProgress{progressed: now, committedAt: now, marked: -1, committed: -1}
}

// ClaimEnded implements Observer.
func (p *Progress) ClaimEnded(topic string, partition int32) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.parts, partitionKey{topic, partition})
}

// Consumed implements Observer.
func (p *Progress) Consumed(topic string, partition int32, offset, _ int64) {
	now := p.now()
	p.with(topic, partition, func(pp *partitionProgress) {
		pp.unfinished = append(pp.unfinished, taken{offset: offset, at: now})
	})
}

// Marked implements Observer: every record up to offset is finished.
func (p *Progress) Marked(topic string, partition int32, offset int64) {
	now := p.now()
	p.with(topic, partition, func(pp *partitionProgress) {
		pp.progressed = now
		pp.marked = offset + 1
		done := 0
		for done < len(pp.unfinished) && pp.unfinished[done].offset <= offset {
			done++
		}
		pp.unfinished = append(pp.unfinished[:0], pp.unfinished[done:]...)
	})
}

// Committed implements Observer: the coordinator holds next for the
// partition, so its commit age starts again if that moved it on.
func (p *Progress) Committed(topic string, partition int32, next int64) {
	now := p.now()
	p.with(topic, partition, func(pp *partitionProgress) {
		if next > pp.committed {
			pp.committed, pp.committedAt = next, now
		}
	})
}

// CommitFailed implements Observer; the commit age shows it.
func (p *Progress) CommitFailed(int) {}

// Generation implements Observer.
func (p *Progress) Generation(int32) {}

func (p *Progress) with(topic string, partition int32, f func(*partitionProgress)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if pp := p.parts[partitionKey{topic, partition}]; pp != nil {
		f(pp)
	}
}

// Stalled lists the partitions, as "topic/partition", that hold unfinished
// records and have finished nothing for longer than the stall timeout.
func (p *Progress) Stalled() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	var out []string
	for k, pp := range p.parts {
		if len(pp.unfinished) > 0 && now.Sub(pp.progressed) > p.stall {
			out = append(out, fmt.Sprintf("%s/%d", k.topic, k.partition))
		}
	}
	sort.Strings(out)
	return out
}

// Healthy reports whether no partition is stalled.
func (p *Progress) Healthy() bool { return len(p.Stalled()) == 0 }

// CommitAges calls emit with each owned partition's time since its offset
// was last committed (or since it was assigned, if never).
func (p *Progress) CommitAges(emit func(topic string, partition int32, age time.Duration)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	for k, pp := range p.parts {
		emit(k.topic, k.partition, now.Sub(pp.committedAt))
	}
}

// OldestAges calls emit with each owned partition's age of its oldest
// unfinished record (0 when it has none): the commit point's record, which
// in key mode is the head of the slowest key. One stuck message or key
// shows here while the rest of its partition flows and lag stays low.
func (p *Progress) OldestAges(emit func(topic string, partition int32, age time.Duration)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	for k, pp := range p.parts {
		var age time.Duration
		if len(pp.unfinished) > 0 {
			age = now.Sub(pp.unfinished[0].at)
		}
		emit(k.topic, k.partition, age)
	}
}

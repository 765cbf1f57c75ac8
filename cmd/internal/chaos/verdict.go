package chaos

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"dispatchd/messages"
)

// src is an input record's place, which results and dead letters name in
// their dispatch_source header.
type src struct {
	p   int32
	off int64
}

// Verdict is what the reader found in the three topics.
type Verdict struct {
	Inputs, Results, DeadLetters int
	// Lost counts inputs with neither a result nor a dead letter, but for
	// Pending ones.
	Lost int
	// Pending counts, once Drain marks the partitions still draining, the
	// inputs with neither at the end of such a partition: a backlog still
	// being worked through when the run stopped waiting, not a skip.
	Pending int
	// Duplicates counts results and dead letters beyond the first per input.
	Duplicates int
	// OrderViolations counts first results of a key that came before the
	// first result of an earlier input of that key.
	OrderViolations int
	// Recovered is, for each event, how long until every input partition
	// that got inputs after it published a result again; the largest.
	Recovered time.Duration
	// PerEvent is the same for each event, in order.
	PerEvent []time.Duration
	// CaughtUp is, for each event, how long until every such partition had
	// a result for an input sent after the event: the backlog drained; the largest.
	CaughtUp time.Duration
	// DupSpans are the duplicated inputs by input partition.
	DupSpans map[int32]*Span
	// Reasons are the dead letters' dispatch_error headers by input.
	Reasons map[src]string
	dead    map[src]*kgo.Record
	missing map[int32]int
	// Lines describe what was lost or reordered, the first few.
	Lines []string
	first map[src]*kgo.Record
}

// sourceOf parses dispatch_source: topic/partition/offset, where the topic may hold a "/".
func sourceOf(r *kgo.Record) (src, bool) {
	for _, h := range r.Headers {
		if h.Key != messages.HeaderSource {
			continue
		}
		parts := strings.Split(string(h.Value), "/")
		if len(parts) < 3 {
			return src{}, false
		}
		p, err1 := strconv.Atoi(parts[len(parts)-2])
		off, err2 := strconv.ParseInt(parts[len(parts)-1], 10, 64)
		return src{int32(p), off}, err1 == nil && err2 == nil
	}
	return src{}, false
}

func header(r *kgo.Record, key string) string {
	for _, h := range r.Headers {
		if h.Key == key {
			return string(h.Value)
		}
	}
	return ""
}

// Judge builds the verdict from the records read. events are the moments
// recovery is measured from; draining are the input partitions that were
// still publishing when the run stopped waiting (see Pending).
func Judge(in, out, dlq []*kgo.Record, events []time.Time, draining map[int32]bool) (Verdict, error) {
	v := Verdict{Inputs: len(in), Results: len(out), DeadLetters: len(dlq), Reasons: map[src]string{}, dead: map[src]*kgo.Record{}, missing: map[int32]int{}, DupSpans: map[int32]*Span{}, first: map[src]*kgo.Record{}}
	inputs := map[src]*kgo.Record{}
	for _, r := range in {
		inputs[src{r.Partition, r.Offset}] = r
	}
	handled := map[src]int{}
	for _, rs := range [][]*kgo.Record{out, dlq} {
		slices.SortFunc(rs, func(a, b *kgo.Record) int {
			return cmp.Or(cmp.Compare(a.Partition, b.Partition), cmp.Compare(a.Offset, b.Offset))
		})
	}
	for i, rs := range [][]*kgo.Record{out, dlq} {
		for _, r := range rs {
			s, ok := sourceOf(r)
			if !ok {
				return v, fmt.Errorf("%s/%d/%d has no readable dispatch_source", r.Topic, r.Partition, r.Offset)
			}
			if _, ok := inputs[s]; !ok {
				return v, fmt.Errorf("%s/%d/%d names input %d/%d, which is not in the input topic", r.Topic, r.Partition, r.Offset, s.p, s.off)
			}
			handled[s]++
			if i == 1 {
				v.Reasons[s], v.dead[s] = header(r, messages.HeaderError), r
			} else if handled[s] == 1 {
				v.first[s] = r
			}
		}
	}
	top := map[int32]int64{} // past the highest handled input offset, by partition
	for s := range handled {
		top[s.p] = max(top[s.p], s.off+1)
	}
	for s, r := range inputs {
		switch n := handled[s]; {
		case n == 0 && draining[s.p] && s.off >= top[s.p]:
			v.Pending++
			v.missing[s.p]++
		case n == 0:
			v.Lost++
			v.missing[s.p]++
			if v.Lost <= 5 {
				v.Lines = append(v.Lines, fmt.Sprintf("lost: input %d/%d key %q", s.p, s.off, r.Key))
			}
		case n > 1:
			v.Duplicates += n - 1
			d := v.DupSpans[s.p]
			if d == nil {
				d = &Span{Lo: s.off, Hi: s.off}
				v.DupSpans[s.p] = d
			}
			d.Lo, d.Hi, d.N = min(d.Lo, s.off), max(d.Hi, s.off), d.N+n-1
		}
	}
	v.order(out, inputs)
	for _, at := range events {
		d, c := v.recovered(inputs, at)
		v.PerEvent = append(v.PerEvent, d)
		v.Recovered, v.CaughtUp = max(v.Recovered, d), max(v.CaughtUp, c)
	}
	return v, nil
}

// order checks, per key, that first results come in input order. A key's
// inputs share one partition and its results one output partition, so
// offsets order both.
func (v *Verdict) order(out []*kgo.Record, inputs map[src]*kgo.Record) {
	last := map[string]int64{}
	for _, r := range out { // sorted by output offset
		s, _ := sourceOf(r)
		if v.first[s] != r {
			continue
		}
		key := string(inputs[s].Key)
		if prev, seen := last[key]; seen && s.off < prev {
			v.OrderViolations++
			if v.OrderViolations <= 5 {
				v.Lines = append(v.Lines, fmt.Sprintf("order: key %q input %d/%d after input offset %d", key, s.p, s.off, prev))
			}
		}
		last[key] = max(last[key], s.off)
	}
}

// recovered is how long from at until every input partition that got
// inputs after it published a result again, and until each had a result
// for an input sent after at.
func (v *Verdict) recovered(inputs map[src]*kgo.Record, at time.Time) (resumed, caughtUp time.Duration) {
	again := map[int32]time.Time{}  // first result published after at
	caught := map[int32]time.Time{} // first result of an input sent after at
	sentAfter := map[int32]bool{}
	for s, in := range inputs {
		r := v.first[s]
		if r != nil && r.Timestamp.After(at) && (again[s.p].IsZero() || r.Timestamp.Before(again[s.p])) {
			again[s.p] = r.Timestamp
		}
		if in.Timestamp.Before(at) {
			continue
		}
		sentAfter[s.p] = true
		if r != nil && (caught[s.p].IsZero() || r.Timestamp.Before(caught[s.p])) {
			caught[s.p] = r.Timestamp
		}
	}
	for p := range sentAfter {
		if t := again[p]; !t.IsZero() {
			resumed = max(resumed, t.Sub(at))
		}
		if t := caught[p]; !t.IsZero() {
			caughtUp = max(caughtUp, t.Sub(at))
		}
	}
	return resumed, caughtUp
}

// unhandled counts, by input partition, the inputs with neither a result
// nor a dead letter.
func (v *Verdict) unhandled() map[int32]int {
	out := map[int32]int{}
	for p, n := range v.missing {
		out[p] = n
	}
	return out
}

// Span is a run of duplicated input offsets of one partition.
type Span struct {
	Lo, Hi int64
	// N is how many duplicates lie in it.
	N int
}

func (s Span) String() string { return fmt.Sprintf("%d..%d:%d", s.Lo, s.Hi, s.N) }

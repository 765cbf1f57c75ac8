package handoff

import (
	"cmp"
	"fmt"
	"slices"
	"time"
)

// span is a run of duplicated input offsets on one partition.
type span struct{ lo, hi, n int64 }

// check counts lost inputs, duplicates and per-key order violations over
// first deliveries, sizes the stopped replica's uncommitted window, and
// measures the handoff, into res.
func check(o Options, sent map[source]input, results []result, s stopped, res *Result) error {
	slices.SortFunc(results, func(a, b result) int {
		return cmp.Or(cmp.Compare(a.outP, b.outP), cmp.Compare(a.outOff, b.outOff))
	})
	bySrc := map[source][]result{}
	lastSeq := map[string]int{}
	handled := map[int32]int64{} // past the highest input offset the stopped replica published a result for
	for _, r := range results {
		in, ok := sent[r.src]
		if !ok {
			return fmt.Errorf("result at out %d/%d names input %v, which the load never sent", r.outP, r.outOff, r.src)
		}
		if in.key != r.key {
			return fmt.Errorf("result at out %d/%d has key %q, its input %v has %q", r.outP, r.outOff, r.key, r.src, in.key)
		}
		bySrc[r.src] = append(bySrc[r.src], r)
		if s.owned(r.src.partition) && !s.gone(r) {
			handled[r.src.partition] = max(handled[r.src.partition], r.src.offset+1)
		}
		if len(bySrc[r.src]) > 1 {
			continue // a duplicate; order is judged on first deliveries
		}
		// A key's results share one output partition, so sorting by output
		// offset puts them in the order they were written.
		if last, seen := lastSeq[in.key]; seen && in.seq <= last {
			res.OrderViolations++
			o.Logf("order: %s seq %d (input %v) after seq %d", in.key, in.seq, r.src, last)
		}
		lastSeq[in.key] = max(lastSeq[in.key], in.seq)
	}
	count(o, sent, bySrc, s, res)
	firstAfter := first(results, s.after)
	firstNew := first(results, func(r result) bool { return s.after(r) && r.src.offset >= handled[r.src.partition] })
	res.Handoff = sinceSignal(s, firstAfter, false)
	res.HandoffNew = sinceSignal(s, firstNew, false)
	res.HandoffRecv = sinceSignal(s, firstAfter, true)
	return nil
}

// count counts lost inputs, duplicates and the window.
func count(o Options, sent map[source]input, bySrc map[source][]result, s stopped, res *Result) {
	res.Inputs = len(sent)
	dupes := map[int32]*span{}
	for src, in := range sent {
		switch n := len(bySrc[src]); {
		case n == 0:
			res.Lost++
			if res.Lost <= 20 {
				o.Logf("lost: input %v (%s seq %d)", src, in.key, in.seq)
			}
		case n > 1:
			res.Duplicates += n - 1
			d := dupes[src.partition]
			if d == nil {
				d = &span{lo: src.offset, hi: src.offset}
				dupes[src.partition] = d
			}
			d.lo, d.hi, d.n = min(d.lo, src.offset), max(d.hi, src.offset), d.n+int64(n-1)
		}
		// The window: handled and published by the stopped replica, but at
		// or past the offset the group had committed when it was gone.
		if s.owned(src.partition) && src.offset >= max(s.committed[src.partition], 0) &&
			slices.ContainsFunc(bySrc[src], func(r result) bool { return !s.gone(r) }) {
			res.Window++
		}
	}
	for p, d := range dupes {
		res.DuplicateSpans = append(res.DuplicateSpans, fmt.Sprintf("input %d/%d..%d: %d", p, d.lo, d.hi, d.n))
	}
	slices.Sort(res.DuplicateSpans)
}

// sinceSignal is from the signal to r's timestamp, or to when the checker
// received it; None for no r.
func sinceSignal(s stopped, r *result, received bool) time.Duration {
	switch {
	case r == nil:
		return None
	case received:
		return r.recv.Sub(s.signalled)
	}
	return r.ts.Sub(s.signalled)
}

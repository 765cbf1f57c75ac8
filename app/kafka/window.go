package kafka

import "github.com/IBM/sarama"

// window is a claim's window and its lanes (see the package doc): it says
// which records may run, and which may be marked. A free lane's next record
// runs as soon as the one before it is handled (work-conserving: no static
// lane-to-worker map). window is not safe for concurrent use; one claim
// loop owns it.
type window struct {
	limit   int
	laneOf  func(*sarama.ConsumerMessage) string
	entries []*entry         // taken, in offset order; the head is the oldest not yet settled
	lanes   map[string]*lane // lanes with a running record
	free    []*lane          // lanes that emptied, for reuse: key mode opens and closes one for most records
}

// entry is one taken record.
type entry struct {
	km      *sarama.ConsumerMessage
	lane    string
	done    bool    // handled and everything it published acknowledged: it may be marked
	failed  bool    // something it published failed for good: the window is replayed from it
	sync    bool    // replayed after such a failure: its publishes are awaited in the chain
	pending pending // what it waits on before it is done
}

// lane holds the records waiting behind its running one, oldest first.
type lane struct {
	waiting []*entry
}

func newWindow(limit int, laneOf func(*sarama.ConsumerMessage) string) *window {
	return &window{limit: limit, laneOf: laneOf, lanes: map[string]*lane{}}
}

// partitionLane puts every record of a partition in one lane: strict
// partition order.
func partitionLane(*sarama.ConsumerMessage) string { return "" }

// keyLane gives each key its own lane. Records without a key share one lane,
// so they keep their partition order among themselves.
func keyLane(km *sarama.ConsumerMessage) string { return string(km.Key) }

// full reports whether the window holds limit records.
func (w *window) full() bool { return len(w.entries) >= w.limit }

// len is how many records are taken and not yet committable.
func (w *window) len() int { return len(w.entries) }

// add takes km into the window. It returns its entry when km may run now,
// nil when km waits behind an earlier record of its lane.
func (w *window) add(km *sarama.ConsumerMessage) *entry {
	e := &entry{km: km, lane: w.laneOf(km)}
	if w.push(e) {
		return e
	}
	return nil
}

// push appends e and reports whether its lane was free.
func (w *window) push(e *entry) bool {
	w.entries = append(w.entries, e)
	if l, busy := w.lanes[e.lane]; busy {
		l.waiting = append(l.waiting, e)
		return false
	}
	w.lanes[e.lane] = w.newLane()
	return true
}

// newLane is an empty lane, a reused one if any.
func (w *window) newLane() *lane {
	if n := len(w.free); n > 0 {
		l := w.free[n-1]
		w.free = w.free[:n-1]
		return l
	}
	return &lane{}
}

// handled records that e's message was acked: its lane moves on. It returns
// the lane's next record, if one waits.
func (w *window) handled(e *entry) (next *entry) {
	l := w.lanes[e.lane]
	if len(l.waiting) > 0 {
		next, l.waiting = l.waiting[0], l.waiting[1:]
	} else {
		delete(w.lanes, e.lane)
		l.waiting = l.waiting[:0]
		w.free = append(w.free, l)
	}
	return next
}

// settled records that e is done. When the done prefix grew, it returns the
// last record of that prefix: everything up to it may be committed.
func (w *window) settled(e *entry) (committable *sarama.ConsumerMessage) {
	e.done = true
	n := 0
	for n < len(w.entries) && w.entries[n].done {
		committable = w.entries[n].km
		n++
	}
	if n > 0 {
		clear(w.entries[:n])
		w.entries = w.entries[n:]
	}
	return committable
}

// restart takes the window's records again from its head, as if newly read:
// the replay after something published failed for good. Every record must
// be settled or never started. A record that failed is marked to run
// synchronously. It returns the records that may run now, in offset order.
func (w *window) restart() (run []*entry) {
	old := w.entries
	w.entries, w.lanes = make([]*entry, 0, w.limit), map[string]*lane{}
	for _, o := range old {
		e := &entry{km: o.km, lane: o.lane, sync: o.failed}
		if w.push(e) {
			run = append(run, e)
		}
	}
	return run
}

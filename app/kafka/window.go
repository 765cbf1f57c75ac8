package kafka

import "github.com/IBM/sarama"

// window is a claim's window and its lanes (see the package doc): it says
// which records may run, and which may be marked. A free lane's next record
// runs as soon as the one before it finishes (work-conserving: no static
// lane-to-worker map). window is not safe for concurrent use; one claim
// loop owns it.
type window struct {
	limit   int
	laneOf  func(*sarama.ConsumerMessage) string
	entries []*entry         // taken, in offset order; the head is the oldest unfinished or unpopped
	lanes   map[string]*lane // lanes with a running record
}

// entry is one taken record.
type entry struct {
	km   *sarama.ConsumerMessage
	lane string
	done bool
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
	w.entries = append(w.entries, e)
	if l, busy := w.lanes[e.lane]; busy {
		l.waiting = append(l.waiting, e)
		return nil
	}
	w.lanes[e.lane] = &lane{}
	return e
}

// finish records that e's message finished (acked). It returns the next
// record of e's lane, if one waits, and, when the finished prefix grew, the
// last record of that prefix: everything up to it may be committed.
func (w *window) finish(e *entry) (next *entry, committable *sarama.ConsumerMessage) {
	e.done = true
	l := w.lanes[e.lane]
	if len(l.waiting) > 0 {
		next, l.waiting = l.waiting[0], l.waiting[1:]
	} else {
		delete(w.lanes, e.lane)
	}
	n := 0
	for n < len(w.entries) && w.entries[n].done {
		committable = w.entries[n].km
		n++
	}
	if n > 0 {
		clear(w.entries[:n])
		w.entries = w.entries[n:]
	}
	return next, committable
}

package bench

// window is one partition's results in flight, for the pipelined loop: the
// input offsets in the order their results went to the producer, in a ring
// of fixed size, and which of them the broker has acknowledged. Results of
// one partition land on several output partitions, so acknowledgements come
// back out of order; only the acknowledged prefix may be marked.
type window struct {
	offs  []int64
	acked []bool
	head  int
	n     int
}

func newWindow(size int) *window {
	return &window{offs: make([]int64, size), acked: make([]bool, size)}
}

func (w *window) full() bool { return w.n == len(w.offs) }

// push records that off's result went to the producer and returns its slot,
// which its acknowledgement names. A slot is reused only once it has left
// the prefix, so a slot always names the offset that holds it.
func (w *window) push(off int64) int {
	slot := (w.head + w.n) % len(w.offs)
	w.offs[slot], w.acked[slot] = off, false
	w.n++
	return slot
}

// ack records slot's acknowledgement. When that extends the acknowledged
// prefix, it drops the prefix and returns the offset to mark (one past the
// prefix's last input) and true.
func (w *window) ack(slot int) (next int64, ok bool) {
	w.acked[slot] = true
	for w.n > 0 && w.acked[w.head] {
		next, ok = w.offs[w.head]+1, true
		w.head = (w.head + 1) % len(w.offs)
		w.n--
	}
	return next, ok
}

package telemetry

import "sync"

// lagBook is, per owned partition, the latest high-water mark seen and the
// next offset to commit, so lag is always their difference: one mark may
// move the commit point past many records (a window's settled prefix).
type lagBook struct {
	mu    sync.Mutex
	parts map[topicPartition]*lagPoint
}

type lagPoint struct{ hwm, next int64 }

func newLagBook() *lagBook { return &lagBook{parts: map[topicPartition]*lagPoint{}} }

// consumed records the high-water mark seen with the record at offset, and
// returns the lag. The first record of a claim is where its commit point is.
func (b *lagBook) consumed(k topicPartition, offset, hwm int64) int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	p := b.parts[k]
	if p == nil {
		p = &lagPoint{next: offset}
		b.parts[k] = p
	}
	p.hwm = max(p.hwm, hwm)
	return max(p.hwm-p.next, 0)
}

// marked records that everything up to offset is done, and returns the lag.
func (b *lagBook) marked(k topicPartition, offset int64) int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	p := b.parts[k]
	if p == nil {
		return 0
	}
	p.next = max(p.next, offset+1)
	return max(p.hwm-p.next, 0)
}

// forget drops a partition this member no longer owns.
func (b *lagBook) forget(k topicPartition) {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.parts, k)
}

package kafka

// Lag learns the partitions owned, and how far the member has got in each,
// as an Observer.

// ClaimStarted implements Observer.
func (s *Lag) ClaimStarted(topic string, partition int32) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.parts[partitionKey{topic, partition}] = &lagPart{next: -1, marked: -1, end: -1, tickEnd: -1, floor: -1}
}

// ClaimEnded implements Observer. It must come before the observer that
// removes the lag series, so no poll or late mark sets it again.
func (s *Lag) ClaimEnded(topic string, partition int32) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.parts, partitionKey{topic, partition})
}

// Consumed implements Observer: under read_uncommitted the record brings
// the end, its high-water mark.
func (s *Lag) Consumed(topic string, partition int32, offset, hwm int64) {
	s.with(topic, partition, func(k partitionKey, p *lagPart) {
		if p.marked < 0 {
			p.marked = offset // the claim's first record: the member starts here
		}
		if offset < p.floor {
			p.floor = -1 // a record below it: that was no gap
		}
		p.next, p.taken = max(p.next, offset+1), p.taken+1
		switch {
		case !s.stable:
			p.end = max(p.end, hwm)
		case p.end < 0:
			select {
			case s.kick <- struct{}{}:
			default: // a poll is asked for already
			}
		}
		s.report(k, p)
	})
}

// Marked implements Observer.
func (s *Lag) Marked(topic string, partition int32, offset int64) {
	s.with(topic, partition, func(k partitionKey, p *lagPart) {
		p.marked = max(p.marked, offset+1)
		s.report(k, p)
	})
}

// Generation implements Observer.
func (s *Lag) Generation(int32) {}

// Committed implements Observer.
func (s *Lag) Committed(string, int32, int64) {}

// CommitFailed implements Observer.
func (s *Lag) CommitFailed(int) {}

func (s *Lag) with(topic string, partition int32, f func(partitionKey, *lagPart)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := partitionKey{topic, partition}
	if p, ok := s.parts[k]; ok {
		f(k, p)
	}
}

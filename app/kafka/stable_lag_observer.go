package kafka

// StableLag learns the partitions owned, and how far the member has got
// in each, as an Observer.

// ClaimStarted implements Observer.
func (s *StableLag) ClaimStarted(topic string, partition int32) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.parts[partitionKey{topic, partition}] = &stablePart{next: -1, marked: -1, lso: -1, tickLSO: -1, floor: -1}
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
	s.with(topic, partition, func(k partitionKey, p *stablePart) {
		if p.marked < 0 {
			p.marked = offset // the claim's first record: the member starts here
		}
		if offset < p.floor {
			p.floor = -1 // a record below it: that was no gap
		}
		p.next, p.taken = max(p.next, offset+1), p.taken+1
		if p.lso < 0 {
			select {
			case s.kick <- struct{}{}:
			default: // a poll is asked for already
			}
		}
		s.report(k, p)
	})
}

// Marked implements Observer.
func (s *StableLag) Marked(topic string, partition int32, offset int64) {
	s.with(topic, partition, func(k partitionKey, p *stablePart) {
		p.marked = max(p.marked, offset+1)
		s.report(k, p)
	})
}

// Generation implements Observer.
func (s *StableLag) Generation(int32) {}

// Committed implements Observer.
func (s *StableLag) Committed(string, int32, int64) {}

// CommitFailed implements Observer.
func (s *StableLag) CommitFailed(int) {}

func (s *StableLag) with(topic string, partition int32, f func(partitionKey, *stablePart)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := partitionKey{topic, partition}
	if p, ok := s.parts[k]; ok {
		f(k, p)
	}
}

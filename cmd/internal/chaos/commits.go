package chaos

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// commitWatch samples the group's committed input offsets until stopped and
// counts the times one went backwards: what a zombie committing an old
// position over its successor's would do.
type commitWatch struct {
	stop      chan struct{}
	done      chan struct{}
	mu        sync.Mutex
	last      map[int32]int64
	backwards []string
	samples   int
}

func watchCommits(ctx context.Context, t Topics, brokers []string) *commitWatch {
	w := &commitWatch{stop: make(chan struct{}), done: make(chan struct{}), last: map[int32]int64{}}
	go func() {
		defer close(w.done)
		tick := time.NewTicker(300 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-w.stop:
				return
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			offs, err := t.Committed(ctx, brokers)
			if err != nil {
				continue // the brokers may be unreachable for a moment; the next sample counts
			}
			w.mu.Lock()
			w.samples++
			for p, o := range offs {
				if prev, ok := w.last[p]; ok && o < prev {
					w.backwards = append(w.backwards, fmt.Sprintf("partition %d: %d after %d", p, o, prev))
				}
				w.last[p] = max(w.last[p], o)
			}
			w.mu.Unlock()
		}
	}()
	return w
}

// end stops sampling and says how many samples saw a commit go backwards.
func (w *commitWatch) end() (samples int, backwards []string) {
	close(w.stop)
	<-w.done
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.samples, w.backwards
}

package handoff

import (
	"fmt"
	"slices"
	"time"

	"github.com/IBM/sarama"
)

// stopped is what the harness knew of the stopped replica once it was gone.
type stopped struct {
	// parts are the input partitions it owned right before the signal.
	parts []int32
	// marks are the results topic's high-water marks once it was gone:
	// everything it published, its drained in-flight results included, is
	// below them, so a result above them came from another replica (or from
	// it, restarted).
	marks map[int32]int64
	// committed is the group's committed input offset of each of parts
	// then, -1 for none.
	committed map[int32]int64
	// signalled is when the signal was sent.
	signalled time.Time
}

// owned reports whether input partition p was the stopped replica's.
func (s stopped) owned(p int32) bool { return slices.Contains(s.parts, p) }

// gone reports whether r was published after the stopped replica was gone.
func (s stopped) gone(r result) bool { return r.outOff >= s.marks[r.outP] }

// after reports whether r was published after the stopped replica was
// gone, from one of its partitions: by another replica, or by itself
// restarted.
func (s stopped) after(r result) bool { return s.gone(r) && s.owned(r.src.partition) }

// readStopped reads the marks and committed offsets for a replica that
// owned parts of the input and was signalled at signalled. The admin shares
// the client, so closing the client is enough.
func readStopped(o Options, sc *sarama.Config, parts []int32, signalled time.Time) (stopped, error) {
	s := stopped{parts: parts, marks: map[int32]int64{}, committed: map[int32]int64{}, signalled: signalled}
	client, err := sarama.NewClient(o.Brokers, sc)
	if err != nil {
		return s, fmt.Errorf("client: %w", err)
	}
	defer func() { _ = client.Close() }()
	outParts, err := client.Partitions(o.Output)
	if err != nil {
		return s, fmt.Errorf("partitions of %s: %w", o.Output, err)
	}
	for _, p := range outParts {
		if s.marks[p], err = client.GetOffset(o.Output, p, sarama.OffsetNewest); err != nil {
			return s, fmt.Errorf("high-water mark of %s/%d: %w", o.Output, p, err)
		}
	}
	admin, err := sarama.NewClusterAdminFromClient(client)
	if err != nil {
		return s, fmt.Errorf("admin: %w", err)
	}
	resp, err := admin.ListConsumerGroupOffsets(o.Group, map[string][]int32{o.Input: parts})
	if err != nil {
		return s, fmt.Errorf("committed offsets of %s: %w", o.Group, err)
	}
	for _, p := range parts {
		s.committed[p] = -1
		if b := resp.GetBlock(o.Input, p); b != nil {
			s.committed[p] = b.Offset
		}
	}
	return s, nil
}

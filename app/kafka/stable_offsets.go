package kafka

import (
	"errors"
	"fmt"

	"github.com/IBM/sarama"
)

// stableOffsets asks the leader of each partition for its last stable
// offset: ListOffsets for the latest offset at read_committed (version 2 or
// later), one request per leader. A partition it could not learn is left
// out; the error says why.
func (s *Lag) stableOffsets(parts []partitionKey) (map[partitionKey]int64, error) {
	byLeader := map[*sarama.Broker][]partitionKey{}
	var errs []error
	for _, k := range parts {
		b, err := s.client.Leader(k.topic, k.partition)
		if err != nil {
			errs = append(errs, fmt.Errorf("leader of %s/%d: %w", k.topic, k.partition, err))
			continue
		}
		byLeader[b] = append(byLeader[b], k)
	}
	out := make(map[partitionKey]int64, len(parts))
	for b, ks := range byLeader {
		req := sarama.NewOffsetRequest(s.sc.Version)
		req.Version = max(req.Version, 2)
		req.IsolationLevel = sarama.ReadCommitted
		for _, k := range ks {
			req.AddBlock(k.topic, k.partition, sarama.OffsetNewest, 1)
		}
		resp, err := b.GetAvailableOffsets(req)
		if err != nil {
			errs = append(errs, fmt.Errorf("list offsets on broker %d: %w", b.ID(), err))
			continue
		}
		for _, k := range ks {
			blk := resp.GetBlock(k.topic, k.partition)
			switch {
			case blk == nil:
				errs = append(errs, fmt.Errorf("list offsets %s/%d: no answer", k.topic, k.partition))
			case !errors.Is(blk.Err, sarama.ErrNoError):
				errs = append(errs, fmt.Errorf("list offsets %s/%d: %w", k.topic, k.partition, blk.Err))
			default:
				out[k] = blk.Offset
			}
		}
	}
	return out, errors.Join(errs...)
}

package chaos

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"dispatchd/messages"
)

// deadLetterMaxBytes is the dead-letter topic's max.message.bytes in
// hostile_unwritable: below the 1 MiB record, while the replicas'
// producer.max_message_bytes says 4 MiB, so dispatchd keeps the value and
// the broker refuses the dead letter.
const deadLetterMaxBytes = 256 << 10

// HostileUnwritable writes one record whose dead letter the brokers refuse:
// the dead-letter topic accepts less than the replicas were told. Nothing
// may be skipped: its partition (in key mode, its key) stops, /healthz
// names it, and everything else goes on.
func (e *Env) HostileUnwritable(ctx context.Context, ordering string) (line string, err error) {
	r, err := e.begin(ctx, "hostile_unwritable", ordering, 3, func(r *run) {
		r.topics.InputMaxBytes, r.topics.DeadLetterMaxBytes = inputMaxBytes, deadLetterMaxBytes
		r.fleet.Env = append(r.fleet.Env, "DISPATCHD_PRODUCER_MAX_MESSAGE_BYTES="+strconv.Itoa(4<<20))
	})
	defer func() { line = finish(r, "hostile_unwritable", ordering, line, err) }()
	if err != nil {
		return "", err
	}
	if err := sleep(ctx, 5*time.Second); err != nil {
		return "", err
	}
	garbage := make([]byte, 1<<20)
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range garbage {
		garbage[i] = byte(rng.UintN(256))
	}
	r.event()
	at, err := produceHostile(ctx, e.Cluster.Brokers(), r.topics.Input, []hostile{{"garbage_1mib",
		&kgo.Record{Key: []byte("stuck"), Value: garbage, Headers: typed(messages.TypeOrderPlaced)}}})
	if err != nil {
		return "", err
	}
	var stuck src
	for s := range at {
		stuck = s
	}
	if err := sleep(ctx, 20*time.Second); err != nil {
		return "", err
	}
	health := probeAll(r.fleet, "/healthz")
	v, err := r.end(ctx)
	if err != nil {
		return "", err
	}
	in, err := ReadAll(ctx, e.Cluster.Brokers(), r.topics.Input)
	if err != nil {
		return "", err
	}
	waiting, skipped, past := 0, 0, 0
	for _, rec := range in {
		s := src{rec.Partition, rec.Offset}
		_, dl := v.Reasons[s]
		if s.p != stuck.p {
			continue
		}
		if v.first[s] != nil || dl {
			if s.off > stuck.off {
				past++ // key mode: other keys run on, up to consumer.max_in_flight uncommitted
			}
			continue
		}
		if s.off >= stuck.off {
			waiting++
		} else {
			skipped++
		}
	}
	v.Lost -= waiting
	v.Lines = slices.DeleteFunc(v.Lines, func(l string) bool {
		return strings.HasPrefix(l, fmt.Sprintf("lost: input %d/", stuck.p))
	})
	r.note("dead letter refused (topic max.message.bytes %d < producer.max_message_bytes %d): partition %d stopped at offset %d with %d inputs waiting behind it, %d handled past it, %d unhandled before it; healthz: %s",
		deadLetterMaxBytes, 4<<20, stuck.p, stuck.off, waiting, past, skipped, health)
	if _, dl := v.Reasons[stuck]; dl || v.first[stuck] != nil {
		r.note("the record was %s after all", map[bool]string{true: "dead-lettered", false: "handled"}[dl])
	}
	return r.Line(v) + fmt.Sprintf(" waiting=%d", waiting), nil
}

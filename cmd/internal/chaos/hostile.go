package chaos

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"dispatchd/app/router"
	"dispatchd/messages"
)

// hostile is one record a careless or malicious producer might write.
type hostile struct {
	name string
	rec  *kgo.Record
}

// inputMaxBytes lets the input topic take the largest hostile record.
const inputMaxBytes = 8 << 20

func typed(typ string, more ...kgo.RecordHeader) []kgo.RecordHeader {
	return append([]kgo.RecordHeader{{Key: messages.HeaderType, Value: []byte(typ)}}, more...)
}

func validOrder(id string) []byte {
	v, _ := json.Marshal(messages.OrderPlaced{OrderID: id, Pickup: messages.Point{Lat: 52.5, Lng: 13.4},
		Dropoff: messages.Point{Lat: 52.4, Lng: 13.5}})
	return v
}

// hostiles are the records of the hostile_input scenario.
func hostiles() []hostile {
	garbage := make([]byte, 4096)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range garbage {
		garbage[i] = byte(rng.UintN(256))
	}
	mib := append([]byte(`{"order_id":"`), bytes.Repeat([]byte("m"), 1<<20)...)
	mib = append(mib, `"}`...)
	var many []kgo.RecordHeader
	for i := range 5000 {
		many = append(many, kgo.RecordHeader{Key: fmt.Sprintf("h%04d", i), Value: []byte("v")})
	}
	return []hostile{
		{"value_1mib", &kgo.Record{Key: []byte("h-1"), Value: mib, Headers: typed(messages.TypeOrderPlaced)}},
		{"value_3mib_over_dead_letter_limit", &kgo.Record{Key: []byte("h-2"),
			Value: bytes.Repeat([]byte{'{'}, 3<<20), Headers: typed(messages.TypeOrderPlaced)}},
		{"binary_garbage", &kgo.Record{Key: []byte("h-3"), Value: garbage, Headers: typed(messages.TypeOrderPlaced)}},
		{"key_invalid_utf8", &kgo.Record{Key: []byte("\xff\xfe\xfd"), Value: validOrder("\xff\xfe\xfd"), Headers: typed(messages.TypeOrderPlaced)}},
		{"header_invalid_utf8", &kgo.Record{Key: []byte("h-5"), Value: validOrder("h-5"),
			Headers: typed(messages.TypeOrderPlaced, kgo.RecordHeader{Key: "x-\xc3\x28", Value: []byte("\xa0\xa1")})}},
		{"type_invalid_utf8", &kgo.Record{Key: []byte("h-6"), Value: validOrder("h-6"), Headers: typed("\xb7\xff")}},
		{"empty_key", &kgo.Record{Key: []byte{}, Value: validOrder(""), Headers: typed(messages.TypeOrderPlaced)}},
		{"null_key", &kgo.Record{Value: validOrder(""), Headers: typed(messages.TypeOrderPlaced)}},
		{"tombstone", &kgo.Record{Key: []byte("h-9"), Headers: typed(messages.TypeOrderPlaced)}},
		{"tombstone_untyped", &kgo.Record{Key: []byte("h-10")}},
		{"5000_headers", &kgo.Record{Key: []byte("h-11"), Value: validOrder("h-11"), Headers: typed(messages.TypeOrderPlaced, many...)}},
		{"type_of_10kb", &kgo.Record{Key: []byte("h-12"), Value: validOrder("h-12"), Headers: typed(strings.Repeat("t", 10_000))}},
		{"no_type", &kgo.Record{Key: []byte("h-13"), Value: validOrder("h-13")}},
	}
}

// produceHostile writes the hostile records to topic, one at a time, and
// returns where each landed.
func produceHostile(ctx context.Context, brokers []string, topic string, hs []hostile) (map[src]string, error) {
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.DefaultProduceTopic(topic),
		kgo.RequiredAcks(kgo.AllISRAcks()), kgo.ProducerBatchMaxBytes(inputMaxBytes),
		kgo.RecordPartitioner(kgo.StickyKeyPartitioner(nil)))
	if err != nil {
		return nil, fmt.Errorf("hostile producer: %w", err)
	}
	defer cl.Close()
	at := map[src]string{}
	for _, h := range hs {
		res := cl.ProduceSync(ctx, h.rec)
		r, err := res.First()
		if err != nil {
			return nil, fmt.Errorf("produce %s: %w", h.name, err)
		}
		at[src{r.Partition, r.Offset}] = h.name
	}
	return at, nil
}

// HostileInput writes hostile records among the keyed load: each must be
// dead-lettered with a reason or handled, no partition may stop, and
// nothing may be lost. The dead-letter topic keeps the broker's default
// size limit, under the 3 MiB record: dispatchd writes that dead letter
// without the value (its size and SHA-256 instead).
func (e *Env) HostileInput(ctx context.Context, ordering string) (line string, err error) {
	r, err := e.begin(ctx, "hostile_input", ordering, 3, func(r *run) { r.topics.InputMaxBytes = inputMaxBytes })
	defer func() { line = finish(r, "hostile_input", ordering, line, err) }()
	if err != nil {
		return "", err
	}
	if err := sleep(ctx, 5*time.Second); err != nil {
		return "", err
	}
	r.event()
	at, err := produceHostile(ctx, e.Cluster.Brokers(), r.topics.Input, hostiles())
	if err != nil {
		return "", err
	}
	if err := sleep(ctx, 15*time.Second); err != nil {
		return "", err
	}
	health := probeAll(r.fleet, "/healthz")
	v, err := r.end(ctx)
	if err != nil {
		return "", err
	}
	var fate []string
	for s, name := range at {
		switch reason, dl := v.Reasons[s]; {
		case dl:
			how := ""
			if n := header(v.dead[s], router.HeaderValueBytes); n != "" {
				how = fmt.Sprintf(" without its value: %s bytes, sha256 %.8s", n, header(v.dead[s], router.HeaderValueSHA256))
			}
			fate = append(fate, fmt.Sprintf("%s=dead-lettered(%.60s%s)", name, strings.Join(strings.Fields(reason), " "), how))
		case v.first[s] != nil:
			fate = append(fate, name+"=handled")
		default:
			fate = append(fate, name+"=NOTHING")
		}
	}
	slices.Sort(fate)
	r.note("healthz after: %s; %s", health, strings.Join(fate, " "))
	return r.Line(v), nil
}

package kafka

// An internal test: toMessage and toProducerMessage are the two ends of every
// message, and their byte-level details are easier to see here.

import (
	"context"
	"testing"

	"github.com/IBM/sarama"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/require"

	"dispatchd/messages"
)

func header(k, v string) *sarama.RecordHeader {
	return &sarama.RecordHeader{Key: []byte(k), Value: []byte(v)}
}

func TestToMessage(t *testing.T) {
	cases := []struct {
		name     string
		headers  []*sarama.RecordHeader
		wantID   string
		wantMeta map[string]string
	}{
		{"message_id_is_the_id", []*sarama.RecordHeader{header(messages.HeaderType, "order.placed"),
			header(messages.HeaderMessageID, "m-1"), header(watermillUUIDHeader, "w-1")},
			"m-1", map[string]string{messages.HeaderType: "order.placed"}},
		{"watermill_id_when_no_message_id", []*sarama.RecordHeader{header(watermillUUIDHeader, "w-1"),
			header("x-custom", "v")}, "w-1", map[string]string{"x-custom": "v"}},
		{"source_when_no_id_header", []*sarama.RecordHeader{nil, header(messages.HeaderCorrelationID, "c-1")},
			"in/3/1042", map[string]string{messages.HeaderCorrelationID: "c-1"}},
		{"last_of_a_repeated_header_wins", []*sarama.RecordHeader{header("x", "1"), header("x", "2")},
			"in/3/1042", map[string]string{"x": "2"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			km := &sarama.ConsumerMessage{Topic: "in", Partition: 3, Offset: 1042, Key: []byte("k-1"),
				Value: []byte("v"), Headers: tc.headers}

			msg, _ := toMessage(context.Background(), km, nil)

			require.Equal(t, tc.wantID, msg.UUID)
			require.Equal(t, tc.wantMeta, map[string]string(msg.Metadata))
			require.Equal(t, []byte("v"), []byte(msg.Payload))
			r, ok := messages.RecordFromContext(msg.Context())
			require.True(t, ok)
			raw := []messages.Header{}
			for _, h := range tc.headers {
				if h != nil {
					raw = append(raw, messages.Header{Key: h.Key, Value: h.Value})
				}
			}
			require.Equal(t, messages.Record{Key: "k-1", Source: messages.Source{Topic: "in", Partition: 3, Offset: 1042},
				Headers: raw}, r, "the record keeps every header as it was, in order")
		})
	}
}

func TestToProducerMessage(t *testing.T) {
	cases := []struct {
		name        string
		id          string
		key         string
		meta        map[string]string
		raw         []messages.Header // a copy's headers
		wantKey     sarama.Encoder
		wantHeaders []string // name=value, in order
	}{
		{"keyed_with_id_and_metadata", "m-1", "k-1", map[string]string{messages.HeaderType: "t"}, nil,
			sarama.ByteEncoder("k-1"), []string{messages.HeaderMessageID + "=m-1", messages.HeaderType + "=t"}},
		{"metadata_message_id_gives_way_to_the_uuid", "m-1", "", map[string]string{messages.HeaderMessageID: "other"}, nil,
			nil, []string{messages.HeaderMessageID + "=m-1"}},
		{"no_id_no_key", "", "", map[string]string{"a": "1"}, nil, nil, []string{"a=1"}},
		{"a_copy_keeps_its_headers_in_order_with_duplicates_then_adds_metadata", "m-1", "k-1",
			map[string]string{messages.HeaderError: "boom"},
			[]messages.Header{{Key: []byte("x"), Value: []byte("2")}, {Key: []byte("x"), Value: []byte("1")},
				{Key: []byte(messages.HeaderMessageID), Value: []byte("orig")}},
			sarama.ByteEncoder("k-1"), []string{"x=2", "x=1", messages.HeaderMessageID + "=orig", messages.HeaderError + "=boom"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			msg := message.NewMessage(tc.id, []byte("v"))
			msg.SetContext(messages.WithRecord(context.Background(), messages.Record{Key: tc.key, Headers: tc.raw}))
			for k, v := range tc.meta {
				msg.Metadata.Set(k, v)
			}

			pm := toProducerMessage("out", msg)

			require.Equal(t, "out", pm.Topic)
			require.Equal(t, []byte("v"), encoded(t, pm.Value))
			require.Equal(t, encoded(t, tc.wantKey), encoded(t, pm.Key))
			var got []string
			for _, h := range pm.Headers {
				require.Equal(t, len(h.Key), cap(h.Key), "a header's name is not followed by writable room")
				require.Equal(t, len(h.Value), cap(h.Value), "a header's value is not followed by writable room")
				got = append(got, string(h.Key)+"="+string(h.Value))
			}
			require.Equal(t, tc.wantHeaders, got)
		})
	}
}

// encoded is what sarama writes for e: nil for no key.
func encoded(t *testing.T, e sarama.Encoder) []byte {
	if e == nil {
		return nil
	}
	b, err := e.Encode()
	require.NoError(t, err)
	return b
}

func benchRecord() *sarama.ConsumerMessage {
	return &sarama.ConsumerMessage{Topic: "bench.in", Partition: 3, Offset: 123456, Key: []byte("key-00042"),
		Value: []byte(`{"k":"key-00042","s":7}`), Headers: []*sarama.RecordHeader{header(messages.HeaderType, "bench.noop")}}
}

func BenchmarkToMessage(b *testing.B) {
	km := benchRecord()
	b.ReportAllocs()
	for b.Loop() {
		toMessage(context.Background(), km, nil)
	}
}

func BenchmarkToProducerMessage(b *testing.B) {
	msg, _ := toMessage(context.Background(), benchRecord(), nil)
	for _, h := range []string{messages.HeaderCorrelationID, messages.HeaderCausationID, messages.HeaderSource} {
		msg.Metadata.Set(h, msg.UUID)
	}
	b.ReportAllocs()
	for b.Loop() {
		toProducerMessage("bench.out", msg)
	}
}

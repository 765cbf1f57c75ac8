package router_test

import (
	"cmp"
	"context"
	"io"
	"slices"
	"strconv"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"dispatchd/app/router"
	"dispatchd/app/telemetry"
	"dispatchd/config"
	"dispatchd/handlers"
	"dispatchd/messages"
)

// FuzzChain feeds records a hostile producer could write through the
// middleware chain New wires, and checks the rule of issue 12 on each: it
// ends as exactly one result or one dead letter, no panic escapes, and no
// input byte reaches a metric label. The seeds are chainSeeds; their
// corpus files are in testdata/fuzz/FuzzChain.
func FuzzChain(f *testing.F) {
	for _, s := range chainSeeds {
		f.Add(s.typ, s.key, []byte(s.value), s.hdrs[0], s.hdrs[1], s.hdrs[2], s.hdrs[3])
	}
	f.Fuzz(func(t *testing.T, typ, key string, value []byte, name1, value1, name2, value2 string) {
		endsOnce(t, typ, key, value, name1, value1, name2, value2)
	})
}

// fuzzSource is where the fuzzed records pretend to be read from.
var fuzzSource = messages.Source{Topic: "dispatch.requests", Partition: 3, Offset: 42}

// chainConfig is what the fuzzed chain runs with: retries that wait a
// millisecond, and a record limit small enough for fuzzed inputs to reach
// the reference-only dead letter.
func chainConfig() config.Config {
	cfg := config.Default()
	cfg.Router.RetryInitialBackoff = time.Millisecond
	cfg.Router.RetryMaxBackoff = time.Millisecond
	cfg.Producer.MaxMessageBytes = 8 << 10
	return cfg
}

// endsOnce runs a record through router.Chain around router.Dispatch with
// the default handlers, requires that it ended as one result or one dead
// letter and left only bounded metric labels, and returns the topic of
// what it published. hdrs are more headers, name then value; the type
// header, when typ is not empty, comes first.
func endsOnce(t *testing.T, typ, key string, value []byte, hdrs ...string) string {
	t.Helper()
	cfg, reg, pub := chainConfig(), handlers.Default(), &recordingPublisher{}
	m := telemetry.NewMetrics(telemetry.BuildInfo{Version: "fuzz", Commit: "x"})
	// A real encoder, so the log fields built from the input are encoded too.
	log := zap.New(zapcore.NewCore(zapcore.NewJSONEncoder(zap.NewProductionEncoderConfig()),
		zapcore.AddSync(io.Discard), zapcore.DebugLevel))
	h := router.Chain(router.Params{Config: cfg, Publisher: pub, Registry: reg, Metrics: m, Logger: log},
		router.Dispatch(reg))
	msg := consumed(key, value, recordHeaders(typ, hdrs...))

	out, err := h(msg)
	require.NoError(t, err, "the publisher never fails, so every record is handled or dead-lettered, never paused")
	require.Empty(t, out, "the chain publishes what it produces")
	calls := pub.published()
	require.Len(t, calls, 1, "one record in, one record out")
	require.Len(t, calls[0].msgs, 1, "one record in, one record out")
	got := calls[0].msgs[0]
	switch calls[0].topic {
	case cfg.Topics.Output:
		require.Equal(t, msg.UUID, got.Metadata.Get(messages.HeaderCausationID))
	case cfg.Topics.DeadLetter:
		requireDeadLetter(t, got, value)
	default:
		t.Fatalf("published to %q, neither the results nor the dead-letter topic", calls[0].topic)
	}
	requireBoundedLabels(t, m, reg)
	return calls[0].topic
}

// requireDeadLetter checks the headers of a dead letter of value.
func requireDeadLetter(t *testing.T, dl *message.Message, value []byte) {
	t.Helper()
	reason := dl.Metadata.Get(messages.HeaderError)
	require.NotEmpty(t, reason)
	require.LessOrEqual(t, len(reason), router.MaxReasonBytes)
	require.True(t, utf8.ValidString(reason), "dispatch_error %q is not UTF-8", reason)
	require.Contains(t, []string{messages.ErrorClassPermanent, messages.ErrorClassExhausted},
		dl.Metadata.Get(messages.HeaderErrorClass))
	require.Equal(t, fuzzSource.String(), dl.Metadata.Get(messages.HeaderSource))
	if _, ok := dl.Metadata[router.HeaderValueBytes]; ok { // reference-only
		require.Empty(t, dl.Payload)
		require.Equal(t, strconv.Itoa(len(value)), dl.Metadata.Get(router.HeaderValueBytes))
	} else {
		require.Equal(t, string(value), string(dl.Payload))
	}
}

// requireBoundedLabels checks that metrics gather, that every type and
// handler label value is one of reg's or the one for no handler, and that
// the record was counted once, as a success or a dead letter.
func requireBoundedLabels(t *testing.T, m *telemetry.Metrics, reg *handlers.Registry) {
	t.Helper()
	types, names := []string{telemetry.UnknownType}, []string{telemetry.NoHandler}
	for _, typ := range reg.Types() {
		h, err := reg.Lookup(typ)
		require.NoError(t, err)
		types, names = append(types, typ), append(names, h.Name())
	}
	mfs, err := m.Registry.Gather()
	require.NoError(t, err)
	ended := 0.0
	for _, mf := range mfs {
		for _, s := range mf.GetMetric() {
			for _, l := range s.GetLabel() {
				switch l.GetName() {
				case "type":
					require.Truef(t, slices.Contains(types, l.GetValue()), "type label %.64q of %s", l.GetValue(), mf.GetName())
				case "handler":
					require.Truef(t, slices.Contains(names, l.GetValue()), "handler label %.64q of %s", l.GetValue(), mf.GetName())
				case "outcome":
					if mf.GetName() == "dispatchd_messages_handled_total" && l.GetValue() != telemetry.OutcomeRetry {
						ended += s.GetCounter().GetValue()
					}
				}
			}
		}
	}
	require.Equal(t, 1.0, ended, "a record ends once, as a success or a dead letter")
}

// consumed is the message the consumer makes of a record of fuzzSource
// (app/kafka's toMessage): its id from the message_id header, or
// watermill's, or its source; every other header as metadata, the last of
// duplicates winning; and the record with its headers as they came.
func consumed(key string, value []byte, headers []messages.Header) *message.Message {
	const watermillID = "_watermill_message_uuid"
	var id, wmID string
	for _, h := range headers {
		switch string(h.Key) {
		case messages.HeaderMessageID:
			id = string(h.Value)
		case watermillID:
			wmID = string(h.Value)
		}
	}
	id = cmp.Or(id, wmID, fuzzSource.String())
	msg := message.NewMessage(id, value)
	for _, h := range headers {
		if k := string(h.Key); k != messages.HeaderMessageID && k != watermillID {
			msg.Metadata.Set(k, string(h.Value))
		}
	}
	rec := messages.Record{Key: key, Source: fuzzSource, Headers: headers}
	msg.SetContext(messages.WithRecord(context.Background(), rec))
	return msg
}

// recordHeaders are a record's headers: type, unless typ is empty, then
// each name and value pair of hdrs that is not both empty.
func recordHeaders(typ string, hdrs ...string) []messages.Header {
	out := make([]messages.Header, 0, 1+len(hdrs)/2) // never nil, as the consumer's
	if typ != "" {
		out = append(out, messages.Header{Key: []byte(messages.HeaderType), Value: []byte(typ)})
	}
	for i := 0; i+1 < len(hdrs); i += 2 {
		if hdrs[i] != "" || hdrs[i+1] != "" {
			out = append(out, messages.Header{Key: []byte(hdrs[i]), Value: []byte(hdrs[i+1])})
		}
	}
	return out
}

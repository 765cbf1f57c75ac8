package router_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/require"

	"dispatchd/app/router"
	"dispatchd/handlers"
	"dispatchd/messages"
)

const dlqTopic = "dispatch.dlq"

// failWith is a handler that always fails with err.
func failWith(err error) message.HandlerFunc {
	return func(*message.Message) ([]*message.Message, error) { return nil, err }
}

func TestDeadLetter_parks_failures(t *testing.T) {
	tests := []struct {
		name         string
		handler      message.HandlerFunc
		wantError    string
		wantClass    string
		wantAttempts int
	}{
		{
			name:      "permanent_error",
			handler:   failWith(&router.AttemptsError{Attempts: 1, Err: handlers.Permanent(errors.New("bad payload"))}),
			wantError: "bad payload", wantClass: messages.ErrorClassPermanent, wantAttempts: 1,
		},
		{
			name:      "exhausted_error",
			handler:   failWith(&router.AttemptsError{Attempts: 4, Err: errors.New("db down")}),
			wantError: "db down", wantClass: messages.ErrorClassExhausted, wantAttempts: 4,
		},
		{
			name:      "error_without_attempts_counts_one",
			handler:   failWith(errors.New("boom")),
			wantError: "boom", wantClass: messages.ErrorClassExhausted, wantAttempts: 1,
		},
		{
			name:      "bare_permanent_error",
			handler:   failWith(handlers.Permanent(errors.New("unknown thing"))),
			wantError: "unknown thing", wantClass: messages.ErrorClassPermanent, wantAttempts: 1,
		},
		{
			name: "after_retry_exhausted",
			handler: router.Retry{MaxRetries: 2, InitialInterval: time.Millisecond, MaxInterval: time.Millisecond}.
				Middleware(failWith(errors.New("still down"))),
			wantError: "still down", wantClass: messages.ErrorClassExhausted, wantAttempts: 3,
		},
		{
			name: "after_retry_permanent",
			handler: router.Retry{MaxRetries: 2, InitialInterval: time.Millisecond, MaxInterval: time.Millisecond}.
				Middleware(failWith(handlers.Permanent(errors.New("never")))),
			wantError: "never", wantClass: messages.ErrorClassPermanent, wantAttempts: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pub := &recordingPublisher{}
			var notified []string
			var notifiedAttempts int
			var notifiedCause error
			msg := newMsg("in-1", messages.TypeOrderPlaced, orderPlaced)
			msg.Metadata.Set(messages.HeaderCorrelationID, "flow-1")
			msg.Metadata.Set("custom", "kept")
			in := testRecord
			in.Headers = rawHeaders(messages.HeaderType, messages.TypeOrderPlaced, "custom", "first",
				messages.HeaderCorrelationID, "flow-1", "custom", "kept")
			msg.SetContext(messages.WithRecord(context.Background(), in))

			out, err := router.DeadLetter{
				Publisher: pub,
				Topic:     dlqTopic,
				OnDeadLetter: func(got *message.Message, class string, attempts int, cause error) {
					require.Same(t, msg, got)
					notified = append(notified, class)
					notifiedAttempts, notifiedCause = attempts, cause
				},
			}.Middleware(tt.handler)(msg)

			require.NoError(t, err, "a dead-lettered message is acked")
			require.Empty(t, out)
			calls := pub.published()
			require.Len(t, calls, 1)
			require.Equal(t, dlqTopic, calls[0].topic)
			require.Len(t, calls[0].msgs, 1)
			dl := calls[0].msgs[0]
			require.Equal(t, msg.UUID, dl.UUID)
			require.Equal(t, orderPlaced, string(dl.Payload))
			require.Equal(t, message.Metadata{
				messages.HeaderError:      tt.wantError,
				messages.HeaderErrorClass: tt.wantClass,
				messages.HeaderAttempts:   strconv.Itoa(tt.wantAttempts),
				messages.HeaderSource:     "dispatch.requests/3/42",
			}, dl.Metadata)
			rec, ok := messages.RecordFromContext(dl.Context())
			require.True(t, ok, "the dead letter carries the record: its key, and its headers in order, duplicates kept")
			require.Equal(t, in, rec)
			require.NoError(t, dl.Context().Err(), "the dead letter must not inherit the input's context")

			require.Equal(t, []string{tt.wantClass}, notified)
			require.Equal(t, tt.wantAttempts, notifiedAttempts)
			require.EqualError(t, notifiedCause, tt.wantError)
		})
	}
}

func TestDeadLetter_does_not_park(t *testing.T) {
	errBoom := errors.New("boom")
	errBroker := errors.New("broker gone")
	tests := []struct {
		name         string
		handlerErr   error
		cancelled    bool
		publishErr   error
		wantErrIs    []error
		wantOut      bool
		wantNotified bool
	}{
		{name: "success_passes_through", wantOut: true},
		{name: "cancelled_context_nacks", handlerErr: errBoom, cancelled: true, wantErrIs: []error{errBoom}},
		{
			name: "cancelled_context_nacks_permanent_error", cancelled: true,
			handlerErr: handlers.Permanent(errBoom), wantErrIs: []error{errBoom},
		},
		{
			name: "publish_failure_nacks", handlerErr: &router.AttemptsError{Attempts: 4, Err: errBoom},
			publishErr: errBroker, wantErrIs: []error{errBroker},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pub := &recordingPublisher{err: tt.publishErr}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			msg := newMsg("in-1", messages.TypeOrderPlaced, orderPlaced)
			msg.SetContext(messages.WithRecord(ctx, testRecord))
			if tt.cancelled {
				cancel()
			}
			want := []*message.Message{message.NewMessage("out-1", nil)}
			notified := false

			out, err := router.DeadLetter{
				Publisher:    pub,
				Topic:        dlqTopic,
				OnDeadLetter: func(*message.Message, string, int, error) { notified = true },
			}.Middleware(func(*message.Message) ([]*message.Message, error) {
				if tt.handlerErr != nil {
					return nil, tt.handlerErr
				}
				return want, nil
			})(msg)

			require.Empty(t, pub.published(), "nothing may reach the dead-letter topic")
			require.Equal(t, tt.wantNotified, notified)
			if tt.wantOut {
				require.NoError(t, err)
				require.Equal(t, want, out)
				return
			}
			require.Error(t, err, "the message must be nacked")
			require.Nil(t, out)
			for _, target := range tt.wantErrIs {
				require.ErrorIs(t, err, target)
			}
		})
	}
}

func TestDeadLetter_publish_failure_names_both_errors(t *testing.T) {
	pub := &recordingPublisher{err: errors.New("broker gone")}
	_, err := router.DeadLetter{Publisher: pub, Topic: dlqTopic}.
		Middleware(failWith(&router.AttemptsError{Attempts: 4, Err: errors.New("db down")}))(newMsg("in-1", "t", "{}"))
	require.ErrorContains(t, err, dlqTopic)
	require.ErrorContains(t, err, "broker gone")
	require.ErrorContains(t, err, "db down")
}

// rawHeaders is name, value, ... as record headers.
func rawHeaders(kv ...string) []messages.Header {
	var hs []messages.Header
	for i := 0; i < len(kv); i += 2 {
		hs = append(hs, messages.Header{Key: []byte(kv[i]), Value: []byte(kv[i+1])})
	}
	return hs
}

func TestDeadLetter_always_fits(t *testing.T) {
	const limit = 64 << 10
	big := strings.Repeat("v", 2*limit)
	manyHeaders := make([]string, 0, 4000)
	for i := range 2000 {
		manyHeaders = append(manyHeaders, "h"+strconv.Itoa(i), strings.Repeat("x", 40))
	}
	cases := []struct {
		name        string
		key         string // default testRecord's
		value       string
		headers     []messages.Header
		cause       error
		wantValue   bool
		wantHeaders bool
	}{
		{name: "small_record_is_copied_whole", value: orderPlaced, headers: rawHeaders("a", "1"),
			cause: errors.New("boom"), wantValue: true, wantHeaders: true},
		{name: "value_over_the_limit_becomes_a_reference", value: big, headers: rawHeaders("a", "1"),
			cause: errors.New("boom"), wantHeaders: true},
		{name: "headers_over_the_limit_are_counted_not_copied", value: orderPlaced, headers: rawHeaders(manyHeaders...),
			cause: errors.New("boom")},
		{name: "a_key_over_the_limit_is_left_out_with_its_digest", key: strings.Repeat("k", 2*limit), value: orderPlaced,
			headers: rawHeaders("a", "1"), cause: errors.New("boom")},
		{name: "an_error_quoting_its_input_is_clipped", value: orderPlaced, headers: rawHeaders("a", "1"), cause: errors.New("unknown field " + big),
			wantValue: true, wantHeaders: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			pub := &recordingPublisher{}
			msg := newMsg("in-1", messages.TypeOrderPlaced, tc.value)
			in := testRecord
			in.Headers = tc.headers
			if tc.key != "" {
				in.Key = tc.key
			}
			msg.SetContext(messages.WithRecord(context.Background(), in))

			_, err := router.DeadLetter{Publisher: pub, Topic: dlqTopic, MaxBytes: limit}.
				Middleware(failWith(handlers.Permanent(tc.cause)))(msg)

			require.NoError(t, err)
			dl := pub.published()[0].msgs[0]
			rec, _ := messages.RecordFromContext(dl.Context())
			size := len(rec.Key) + len(dl.Payload)
			for _, h := range rec.Headers {
				size += len(h.Key) + len(h.Value)
			}
			for k, v := range dl.Metadata {
				size += len(k) + len(v)
			}
			require.Less(t, size, limit, "the dead letter fits the producer's limit")
			require.LessOrEqual(t, len(dl.Metadata.Get(messages.HeaderError)), router.MaxReasonBytes)
			require.Equal(t, "dispatch.requests/3/42", dl.Metadata.Get(messages.HeaderSource))
			if tc.key == "" {
				require.Equal(t, testRecord.Key, rec.Key, "the key stays, so the dead letter is placed like its input")
			} else {
				sum := sha256.Sum256([]byte(tc.key))
				require.Empty(t, rec.Key)
				require.Equal(t, hex.EncodeToString(sum[:]), dl.Metadata.Get(router.HeaderKeySHA256))
			}
			if tc.wantValue {
				require.Equal(t, tc.value, string(dl.Payload))
				require.Empty(t, dl.Metadata.Get(router.HeaderValueBytes))
			} else {
				sum := sha256.Sum256([]byte(tc.value))
				require.Empty(t, dl.Payload)
				require.Equal(t, strconv.Itoa(len(tc.value)), dl.Metadata.Get(router.HeaderValueBytes))
				require.Equal(t, hex.EncodeToString(sum[:]), dl.Metadata.Get(router.HeaderValueSHA256))
			}
			if tc.wantHeaders {
				require.Equal(t, tc.headers, rec.Headers)
			} else {
				require.Empty(t, rec.Headers)
				require.Equal(t, strconv.Itoa(len(tc.headers)), dl.Metadata.Get(router.HeaderHeadersDropped))
			}
		})
	}
}

func TestClip(t *testing.T) {
	cases := []struct {
		name, in string
		n        int
		want     string
	}{
		{name: "short_text_is_kept", in: "boom", n: 10, want: "boom"},
		{name: "long_text_is_cut_and_marked", in: "abcdefghij", n: 7, want: "abcd…"},
		{name: "a_cut_never_splits_a_rune", in: "ééééé", n: 7, want: "éé…"},
		{name: "invalid_utf8_is_replaced", in: "a\xb7b", n: 10, want: "a\uFFFDb"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := router.Clip(tc.in, tc.n)
			require.Equal(t, tc.want, got)
			require.LessOrEqual(t, len(got), tc.n)
			require.True(t, utf8.ValidString(got))
		})
	}
}

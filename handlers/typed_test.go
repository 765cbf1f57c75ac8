package handlers_test

import (
	"context"
	"errors"
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"dispatchd/handlers"
	"dispatchd/messages"
)

// ping is a test input: its id must equal the record key.
type ping struct {
	ID string `json:"id"`
}

func (ping) MessageType() string { return "test.ping" }

func (p ping) Validate(key string) error {
	if p.ID != key {
		return &messages.ValidationError{Type: "test.ping", Field: "id", Reason: "does not match the key"}
	}
	return nil
}

// pong is a test output; a NaN score cannot be encoded.
type pong struct {
	ID    string  `json:"id"`
	Score float64 `json:"score"`
}

func (pong) MessageType() string { return "test.pong" }

func TestTyped(t *testing.T) {
	errTransient := errors.New("db down")
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name          string
		ctx           context.Context
		payload       string
		fnErr         error
		score         float64
		wantCalled    bool
		want          messages.Result
		wantIs        error
		wantPermanent bool
		wantMsg       string
	}{
		{name: "success", payload: `{"id":"k"}`, wantCalled: true,
			want: messages.Result{Type: "test.pong", Payload: []byte(`{"id":"k","score":1}`)}, score: 1},
		{name: "done_ctx_is_transient_and_skips_fn", ctx: canceled, payload: `{"id":"k"}`, wantIs: context.Canceled,
			wantMsg: "context canceled"},
		{name: "undecodable_is_permanent_and_skips_fn", payload: `{"id":`, wantIs: messages.ErrUndecodable,
			wantPermanent: true, wantMsg: "decode test.ping: undecodable payload: unexpected EOF"},
		{name: "unknown_field_is_permanent", payload: `{"id":"k","idd":"k"}`, wantIs: messages.ErrUndecodable,
			wantPermanent: true, wantMsg: `decode test.ping: undecodable payload: json: unknown field "idd"`},
		{name: "invalid_is_permanent_and_skips_fn", payload: `{"id":"other"}`, wantIs: messages.ErrInvalid,
			wantPermanent: true, wantMsg: "invalid test.ping: id: does not match the key"},
		{name: "fn_error_is_returned_unchanged", payload: `{"id":"k"}`, fnErr: errTransient, wantCalled: true,
			wantIs: errTransient, wantMsg: "db down"},
		{name: "fn_permanent_error_stays_permanent", payload: `{"id":"k"}`, fnErr: handlers.Permanent(errTransient),
			wantCalled: true, wantIs: errTransient, wantPermanent: true, wantMsg: "db down"},
		{name: "unencodable_output_is_permanent", payload: `{"id":"k"}`, score: math.NaN(), wantCalled: true,
			wantPermanent: true, wantMsg: "encode handlers_test.pong: json: unsupported value: NaN"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			called := false
			h := handlers.Typed("ping-pong", func(_ context.Context, in ping) (pong, error) {
				called = true
				return pong{ID: in.ID, Score: tt.score}, tt.fnErr
			})
			ctx := tt.ctx
			if ctx == nil {
				ctx = context.Background()
			}
			res, err := h.Handle(ctx, messages.Envelope{Key: "k", Type: "test.ping", Payload: []byte(tt.payload)})
			require.Equal(t, tt.wantCalled, called, "fn called")
			require.Equal(t, tt.want, res)
			if tt.wantMsg == "" {
				require.NoError(t, err)
				return
			}
			require.EqualError(t, err, tt.wantMsg)
			require.Equal(t, tt.wantPermanent, handlers.IsPermanent(err))
			if tt.wantIs != nil {
				require.ErrorIs(t, err, tt.wantIs)
			}
		})
	}
}

func TestTyped_names(t *testing.T) {
	h := handlers.Typed("ping-pong", func(context.Context, ping) (pong, error) { return pong{}, nil })
	require.Equal(t, "ping-pong", h.Name())
	require.Equal(t, "test.ping", h.InputType())
}

package handlers_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"dispatchd/handlers"
	"dispatchd/messages"
)

func TestOrderCancelled_acknowledges(t *testing.T) {
	tests := []struct {
		name    string
		payload string
		want    string
	}{
		{name: "with_reason", payload: `{"order_id":"o-1","reason":"ordered twice"}`,
			want: `{"order_id":"o-1","reason":"ordered twice","acknowledged":true}`},
		{name: "without_reason", payload: `{"order_id":"o-1"}`,
			want: `{"order_id":"o-1","reason":"","acknowledged":true}`},
		{name: "reason_with_unicode_and_quotes", payload: `{"order_id":"o-1","reason":"zu spät \"heute\""}`,
			want: `{"order_id":"o-1","reason":"zu spät \"heute\"","acknowledged":true}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := messages.Envelope{Key: "o-1", Type: messages.TypeOrderCancelled, Payload: []byte(tt.payload)}
			res, err := registered(t, messages.TypeOrderCancelled).Handle(context.Background(), in)
			require.NoError(t, err)
			require.Equal(t, messages.TypeOrderCancellationAcknowledged, res.Type)
			require.Equal(t, tt.want, string(res.Payload))

			again, err := registered(t, messages.TypeOrderCancelled).Handle(context.Background(), in)
			require.NoError(t, err)
			require.Equal(t, res, again, "same input must give a byte-identical result")
		})
	}
}

func TestOrderCancelled_rejects(t *testing.T) {
	tests := []struct {
		name    string
		key     string
		payload string
		wantIs  error
		wantMsg string
	}{
		{name: "order_id_not_key", key: "o-2", payload: `{"order_id":"o-1"}`, wantIs: messages.ErrInvalid,
			wantMsg: `invalid order.cancelled: order_id: "o-1" does not match the record key "o-2"`},
		{name: "missing_order_id", key: "o-1", payload: `{"reason":"late"}`, wantIs: messages.ErrInvalid,
			wantMsg: "invalid order.cancelled: order_id: must not be empty"},
		{name: "malformed_json", key: "o-1", payload: `{"order_id":`, wantIs: messages.ErrUndecodable,
			wantMsg: "decode order.cancelled: undecodable payload: unexpected EOF"},
		{name: "unknown_field", key: "o-1", payload: `{"order_id":"o-1","reson":"late"}`, wantIs: messages.ErrUndecodable,
			wantMsg: `decode order.cancelled: undecodable payload: json: unknown field "reson"`},
		{name: "array_payload", key: "o-1", payload: `["o-1"]`, wantIs: messages.ErrUndecodable,
			wantMsg: "decode order.cancelled: undecodable payload: want a JSON object, got an array"},
		{name: "empty_payload", key: "o-1", payload: ``, wantIs: messages.ErrUndecodable,
			wantMsg: "decode order.cancelled: undecodable payload: empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := registered(t, messages.TypeOrderCancelled).Handle(context.Background(),
				messages.Envelope{Key: tt.key, Type: messages.TypeOrderCancelled, Payload: []byte(tt.payload)})
			require.Zero(t, res)
			require.True(t, handlers.IsPermanent(err), "%v should be permanent", err)
			require.ErrorIs(t, err, tt.wantIs)
			require.EqualError(t, err, tt.wantMsg)
		})
	}
}

func TestOrderCancelled_honours_context(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := registered(t, messages.TypeOrderCancelled).Handle(ctx,
		messages.Envelope{Key: "o-1", Type: messages.TypeOrderCancelled, Payload: []byte(`{"order_id":"o-1"}`)})
	require.ErrorIs(t, err, context.Canceled)
	require.False(t, handlers.IsPermanent(err))
}

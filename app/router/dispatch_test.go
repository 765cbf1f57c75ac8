package router_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"dispatchd/app/kafka"
	"dispatchd/app/router"
	"dispatchd/handlers"
	"dispatchd/messages"
)

func TestDispatchOrderPlaced(t *testing.T) {
	msg := newMsg("in-1", messages.TypeOrderPlaced, orderPlaced)

	out, err := router.Dispatch(handlers.Default())(msg)

	require.NoError(t, err)
	require.Len(t, out, 1)
	o := out[0]
	require.Equal(t, messages.TypeOrderDispatched, o.Metadata.Get(messages.HeaderType))
	require.Equal(t, "in-1", o.Metadata.Get(messages.HeaderCausationID))
	require.Equal(t, "dispatch.requests/3/42", o.Metadata.Get(messages.HeaderSource))
	rec, ok := kafka.RecordFromContext(o.Context())
	require.True(t, ok)
	require.Equal(t, "o-1", rec.Key, "the result is keyed like its input")
	require.Equal(t, testRecord.Source, rec.Source)
	var res messages.OrderDispatched
	require.NoError(t, json.Unmarshal(o.Payload, &res))
	require.Equal(t, "o-1", res.OrderID)
	require.Equal(t, "z+525+0134", res.Zone)
	require.Positive(t, res.DistanceKM)
	require.Greater(t, res.ETASeconds, 300)
}

func TestDispatchResultIDIsDerivedFromInputID(t *testing.T) {
	dispatch := router.Dispatch(handlers.Default())
	resultID := func(inputID string) string {
		t.Helper()
		out, err := dispatch(newMsg(inputID, messages.TypeOrderPlaced, orderPlaced))
		require.NoError(t, err)
		require.Len(t, out, 1)
		return out[0].UUID
	}
	first := resultID("in-1")
	require.NotEmpty(t, first)
	require.NotEqual(t, "in-1", first)
	require.Equal(t, first, resultID("in-1"), "a redelivered input yields the same result id")
	require.NotEqual(t, first, resultID("in-2"))
}

func TestDispatchErrors(t *testing.T) {
	errTransient := errors.New("db down")
	reg := handlers.Default().MustRegister("order.flaky", handlers.Func{HandlerName: "flaky",
		Fn: func(context.Context, messages.Envelope) (messages.Result, error) {
			return messages.Result{}, errTransient
		}})
	tests := []struct {
		name          string
		typ           string
		payload       string
		wantPermanent bool
		wantIs        error
	}{
		{name: "unknown_type", typ: "order.teleported", payload: "{}", wantPermanent: true, wantIs: handlers.ErrUnknownType},
		{name: "missing_type", typ: "", payload: orderPlaced, wantPermanent: true, wantIs: handlers.ErrMissingType},
		{name: "invalid_payload", typ: messages.TypeOrderPlaced, payload: "not json", wantPermanent: true},
		{name: "order_id_differs_from_key", typ: messages.TypeOrderPlaced,
			payload: `{"order_id":"o-2","pickup":{"lat":1,"lng":1},"dropoff":{"lat":1,"lng":1}}`, wantPermanent: true},
		{name: "transient_handler_error", typ: "order.flaky", payload: "{}", wantIs: errTransient},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := router.Dispatch(reg)(newMsg("in-1", tt.typ, tt.payload))
			require.Error(t, err)
			require.Nil(t, out)
			require.Equal(t, tt.wantPermanent, handlers.IsPermanent(err))
			if tt.wantIs != nil {
				require.ErrorIs(t, err, tt.wantIs)
			}
		})
	}
}

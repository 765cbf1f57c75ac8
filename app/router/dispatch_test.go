package router_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"dispatchd/app/router"
	"dispatchd/handlers"
	"dispatchd/messages"
)

func TestDispatch_order_placed(t *testing.T) {
	msg := newMsg("in-1", messages.TypeOrderPlaced, orderPlaced)

	out, err := router.Dispatch(handlers.Default())(msg)

	require.NoError(t, err)
	require.Len(t, out, 1)
	o := out[0]
	require.Equal(t, messages.TypeOrderDispatched, o.Metadata.Get(messages.HeaderType))
	require.Equal(t, "in-1", o.Metadata.Get(messages.HeaderCausationID))
	require.Equal(t, "dispatch.requests/3/42", o.Metadata.Get(messages.HeaderSource))
	rec, ok := messages.RecordFromContext(o.Context())
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

func TestDispatch_result_id_is_derived_from_input_id(t *testing.T) {
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

// The derivation must never change: across an upgrade, a redelivered input
// must yield the id its result had before. The ids are uuid.NewSHA1 over the
// result id space, as dispatchd has always derived them.
func TestDispatch_result_id_is_stable(t *testing.T) {
	cases := []struct {
		name    string
		inputID string
		want    string
	}{
		{name: "empty", inputID: "", want: "ce065201-735b-5f41-9e11-641a2466a4ee"},
		{name: "short", inputID: "in-1", want: "776f9bb3-ee3f-55c3-8478-2c2dd1214000"},
		{name: "source", inputID: "dispatch.requests/3/42", want: "72956bea-d4ee-5a84-8f6b-77368d26fb76"},
		{name: "long", inputID: strings.Repeat("x", 100), want: "dd1a76ae-1361-5103-b9d5-3dac96328e38"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, err := router.Dispatch(handlers.Default())(newMsg(tc.inputID, messages.TypeOrderPlaced, orderPlaced))
			require.NoError(t, err)
			require.Len(t, out, 1)
			require.Equal(t, tc.want, out[0].UUID)
		})
	}
}

func TestDispatch_errors(t *testing.T) {
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

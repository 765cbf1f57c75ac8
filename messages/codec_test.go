package messages_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"dispatchd/messages"
)

func TestDecode(t *testing.T) {
	tests := []struct {
		name    string
		payload string
		want    messages.OrderCancelled
		wantErr string
	}{
		{name: "valid", payload: `{"order_id":"o-1","reason":"changed mind"}`,
			want: messages.OrderCancelled{OrderID: "o-1", Reason: "changed mind"}},
		{name: "valid_with_surrounding_whitespace", payload: " \n{\"order_id\":\"o-1\"}\n ",
			want: messages.OrderCancelled{OrderID: "o-1"}},
		{name: "valid_optional_field_absent", payload: `{"order_id":"o-1"}`,
			want: messages.OrderCancelled{OrderID: "o-1"}},
		{name: "empty", payload: ``, wantErr: "empty"},
		{name: "whitespace_only", payload: " \t\n", wantErr: "empty"},
		{name: "trailing_garbage", payload: `{"order_id":"o-1"}xyz`, wantErr: "trailing data"},
		{name: "second_object", payload: `{"order_id":"o-1"}{"order_id":"o-2"}`, wantErr: "trailing data"},
		{name: "trailing_brace", payload: `{"order_id":"o-1"}}`, wantErr: "trailing data"},
		{name: "unknown_field", payload: `{"order_id":"o-1","reasn":"typo"}`, wantErr: `unknown field "reasn"`},
		{name: "array_instead_of_object", payload: `[{"order_id":"o-1"}]`, wantErr: "got an array"},
		{name: "null", payload: `null`, wantErr: "got null"},
		{name: "string", payload: `"o-1"`, wantErr: "got a string"},
		{name: "number", payload: `42`, wantErr: "got a number"},
		{name: "wrong_type_number_for_string", payload: `{"order_id":42}`, wantErr: "cannot unmarshal number"},
		{name: "wrong_type_object_for_string", payload: `{"order_id":{"id":"o-1"}}`, wantErr: "cannot unmarshal object"},
		{name: "truncated", payload: `{"order_id":"o-1"`, wantErr: "unexpected EOF"},
		{name: "not_json", payload: `order_id=o-1`, wantErr: "not JSON"},
		{name: "bare_word_not_null", payload: `nope`, wantErr: "not JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got messages.OrderCancelled
			err := messages.Decode([]byte(tt.payload), &got)
			if tt.wantErr != "" {
				require.ErrorIs(t, err, messages.ErrUndecodable)
				require.ErrorContains(t, err, tt.wantErr)
				require.False(t, errors.Is(err, messages.ErrInvalid))
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestDecode_wrong_type_in_nested_point(t *testing.T) {
	var got messages.OrderPlaced
	err := messages.Decode([]byte(`{"order_id":"o-1","pickup":{"lat":"52.5","lng":13.4}}`), &got)
	require.ErrorIs(t, err, messages.ErrUndecodable)
	require.ErrorContains(t, err, "pickup.lat")
}

func TestEncode(t *testing.T) {
	tests := []struct {
		name string
		in   any
		want string
	}{
		{name: "order_dispatched", in: messages.OrderDispatched{OrderID: "o-1", Zone: "z+525+0134", DistanceKM: 1.5, ETASeconds: 516},
			want: `{"order_id":"o-1","zone":"z+525+0134","distance_km":1.5,"eta_seconds":516}`},
		{name: "order_placed_note_omitted", in: messages.OrderPlaced{OrderID: "o-1", Pickup: messages.Point{Lat: 1, Lng: 2}},
			want: `{"order_id":"o-1","pickup":{"lat":1,"lng":2},"dropoff":{"lat":0,"lng":0}}`},
		{name: "acknowledgement_keeps_empty_reason", in: messages.OrderCancellationAcknowledged{OrderID: "o-1", Acknowledged: true},
			want: `{"order_id":"o-1","reason":"","acknowledged":true}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := messages.Encode(tt.in)
			require.NoError(t, err)
			require.JSONEq(t, tt.want, string(got))
			require.Equal(t, tt.want, string(got), "field order must be stable")
		})
	}
}

func TestEncode_error(t *testing.T) {
	_, err := messages.Encode(make(chan int))
	require.ErrorContains(t, err, "encode chan int")
}

func TestEncode_decode_round_trip(t *testing.T) {
	in := messages.OrderPlaced{OrderID: "o-9", Pickup: messages.Point{Lat: -33.8688, Lng: 151.2093},
		Dropoff: messages.Point{Lat: -33.8568, Lng: 151.2153}, Note: "ring twice"}
	b, err := messages.Encode(in)
	require.NoError(t, err)
	var out messages.OrderPlaced
	require.NoError(t, messages.Decode(b, &out))
	require.Equal(t, in, out)
}

package messages_test

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"dispatchd/messages"
)

func TestPoint_validate(t *testing.T) {
	tests := []struct {
		name    string
		p       messages.Point
		wantErr string
	}{
		{name: "origin", p: messages.Point{}},
		{name: "corners_inclusive", p: messages.Point{Lat: 90, Lng: -180}},
		{name: "other_corner", p: messages.Point{Lat: -90, Lng: 180}},
		{name: "lat_too_high", p: messages.Point{Lat: 91}, wantErr: "invalid payload: at.lat: 91 is out of range [-90, 90]"},
		{name: "lat_too_low", p: messages.Point{Lat: -90.0001}, wantErr: "at.lat: -90.0001 is out of range"},
		{name: "lng_too_high", p: messages.Point{Lng: 180.5}, wantErr: "at.lng: 180.5 is out of range [-180, 180]"},
		{name: "lng_too_low", p: messages.Point{Lng: -181}, wantErr: "at.lng: -181 is out of range"},
		{name: "lat_nan", p: messages.Point{Lat: math.NaN()}, wantErr: "at.lat: is not a number"},
		{name: "lng_nan", p: messages.Point{Lng: math.NaN()}, wantErr: "at.lng: is not a number"},
		{name: "lat_infinite", p: messages.Point{Lat: math.Inf(1)}, wantErr: "at.lat: +Inf is out of range"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.p.Validate("at")
			if tt.wantErr == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, messages.ErrInvalid)
			require.ErrorContains(t, err, tt.wantErr)
		})
	}
}

func TestOrderPlaced_validate(t *testing.T) {
	valid := func() messages.OrderPlaced {
		return messages.OrderPlaced{OrderID: "o-1",
			Pickup: messages.Point{Lat: 52.52, Lng: 13.405}, Dropoff: messages.Point{Lat: 52.5, Lng: 13.39}}
	}
	tests := []struct {
		name      string
		mutate    func(*messages.OrderPlaced)
		key       string
		wantField string
		wantErr   string
	}{
		{name: "valid", mutate: func(*messages.OrderPlaced) {}, key: "o-1"},
		{name: "empty_order_id", mutate: func(o *messages.OrderPlaced) { o.OrderID = "" }, key: "o-1",
			wantField: "order_id", wantErr: "invalid order.placed: order_id: must not be empty"},
		{name: "order_id_not_key", mutate: func(*messages.OrderPlaced) {}, key: "o-2",
			wantField: "order_id", wantErr: `invalid order.placed: order_id: "o-1" does not match the record key "o-2"`},
		{name: "pickup_lat_out_of_range", mutate: func(o *messages.OrderPlaced) { o.Pickup.Lat = 91 }, key: "o-1",
			wantField: "pickup.lat", wantErr: "invalid order.placed: pickup.lat: 91 is out of range [-90, 90]"},
		{name: "dropoff_lng_out_of_range", mutate: func(o *messages.OrderPlaced) { o.Dropoff.Lng = 200 }, key: "o-1",
			wantField: "dropoff.lng", wantErr: "invalid order.placed: dropoff.lng: 200 is out of range [-180, 180]"},
		{name: "dropoff_nan", mutate: func(o *messages.OrderPlaced) { o.Dropoff.Lat = math.NaN() }, key: "o-1",
			wantField: "dropoff.lat", wantErr: "invalid order.placed: dropoff.lat: is not a number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := valid()
			tt.mutate(&o)
			err := o.Validate(tt.key)
			if tt.wantErr == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, messages.ErrInvalid)
			require.EqualError(t, err, tt.wantErr)
			var ve *messages.ValidationError
			require.ErrorAs(t, err, &ve)
			require.Equal(t, tt.wantField, ve.Field)
			require.Equal(t, messages.TypeOrderPlaced, ve.Type)
		})
	}
}

func TestOrderCancelled_validate(t *testing.T) {
	tests := []struct {
		name    string
		in      messages.OrderCancelled
		key     string
		wantErr string
	}{
		{name: "valid", in: messages.OrderCancelled{OrderID: "o-1", Reason: "late"}, key: "o-1"},
		{name: "valid_without_reason", in: messages.OrderCancelled{OrderID: "o-1"}, key: "o-1"},
		{name: "empty_order_id", in: messages.OrderCancelled{}, key: "o-1",
			wantErr: "invalid order.cancelled: order_id: must not be empty"},
		{name: "empty_order_id_and_key", in: messages.OrderCancelled{}, key: "",
			wantErr: "invalid order.cancelled: order_id: must not be empty"},
		{name: "order_id_not_key", in: messages.OrderCancelled{OrderID: "o-1"}, key: "O-1",
			wantErr: `invalid order.cancelled: order_id: "o-1" does not match the record key "O-1"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.in.Validate(tt.key)
			if tt.wantErr == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, messages.ErrInvalid)
			require.EqualError(t, err, tt.wantErr)
		})
	}
}

func TestValidationError_without_type(t *testing.T) {
	err := &messages.ValidationError{Field: "x", Reason: "bad"}
	require.EqualError(t, err, "invalid payload: x: bad")
	require.ErrorIs(t, err, messages.ErrInvalid)
	require.NotErrorIs(t, err, messages.ErrUndecodable)
}

func TestMessageType(t *testing.T) {
	tests := []struct {
		name    string
		payload interface{ MessageType() string }
		want    string
	}{
		{name: "order_placed", payload: messages.OrderPlaced{}, want: messages.TypeOrderPlaced},
		{name: "order_dispatched", payload: messages.OrderDispatched{}, want: messages.TypeOrderDispatched},
		{name: "order_cancelled", payload: messages.OrderCancelled{}, want: messages.TypeOrderCancelled},
		{name: "order_cancellation_acknowledged", payload: messages.OrderCancellationAcknowledged{},
			want: messages.TypeOrderCancellationAcknowledged},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, tt.payload.MessageType())
		})
	}
}

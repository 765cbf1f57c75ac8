package handlers_test

import (
	"context"
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"dispatchd/handlers"
	"dispatchd/messages"
)

// meanEarthRadiusKM is the IUGG mean radius; kmPerDegree is the length of one
// degree of arc on it, the published ~111.2 km per degree of latitude.
const (
	meanEarthRadiusKM = 6371.0088
	kmPerDegree       = meanEarthRadiusKM * math.Pi / 180
)

// placed encodes an order.placed payload for order "o-1".
func placed(t *testing.T, pickup, dropoff messages.Point) []byte {
	t.Helper()
	b, err := messages.Encode(messages.OrderPlaced{OrderID: "o-1", Pickup: pickup, Dropoff: dropoff})
	require.NoError(t, err)
	return b
}

func TestOrderPlaced_plans(t *testing.T) {
	tests := []struct {
		name     string
		pickup   messages.Point
		dropoff  messages.Point
		wantKM   float64
		tolKM    float64
		wantZone string
	}{
		{name: "one_degree_of_latitude", pickup: messages.Point{Lat: 52.52, Lng: 13.405},
			dropoff: messages.Point{Lat: 53.52, Lng: 13.405}, wantKM: kmPerDegree, tolKM: 0.001, wantZone: "z+525+0134"},
		// Ed Williams' Aviation Formulary worked example: LAX (33°57'N 118°24'W)
		// to JFK (40°38'N 73°47'W) is 2144 nm; 1 nm = 1.852 km. His sphere
		// differs slightly from ours, hence the 0.1 % tolerance.
		{name: "lax_to_jfk_published", pickup: messages.Point{Lat: 33 + 57.0/60, Lng: -(118 + 24.0/60)},
			dropoff: messages.Point{Lat: 40 + 38.0/60, Lng: -(73 + 47.0/60)}, wantKM: 2144 * 1.852, tolKM: 2144 * 1.852 * 0.001,
			wantZone: "z+339-1184"},
		{name: "across_the_antimeridian", pickup: messages.Point{Lat: 0, Lng: 179.95},
			dropoff: messages.Point{Lat: 0, Lng: -179.95}, wantKM: kmPerDegree / 10, tolKM: 0.001, wantZone: "z+000+1799"},
		{name: "antipodes_half_circumference", pickup: messages.Point{Lat: 0, Lng: 0},
			dropoff: messages.Point{Lat: 0, Lng: 180}, wantKM: math.Pi * meanEarthRadiusKM, tolKM: 0.001, wantZone: "z+000+0000"},
		{name: "same_point", pickup: messages.Point{Lat: 40.71, Lng: -74.01},
			dropoff: messages.Point{Lat: 40.71, Lng: -74.01}, wantKM: 0, tolKM: 0, wantZone: "z+407-0741"},
		{name: "southern_hemisphere_zone", pickup: messages.Point{Lat: -33.8688, Lng: 151.2093},
			dropoff: messages.Point{Lat: -33.8568, Lng: 151.2153}, wantKM: 1.438, tolKM: 0.01, wantZone: "z-339+1512"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := handlers.DispatchOrder(context.Background(),
				messages.OrderPlaced{OrderID: "o-1", Pickup: tt.pickup, Dropoff: tt.dropoff})
			require.NoError(t, err)
			require.Equal(t, "o-1", got.OrderID)
			require.Equal(t, tt.wantZone, got.Zone)
			require.InDelta(t, tt.wantKM, got.DistanceKM, tt.tolKM)
			require.InDelta(t, math.Round(got.DistanceKM*1000), got.DistanceKM*1000, 1e-6, "rounded to metres")
			// 300 s at the pickup, then 25 km/h, rounded up to a whole second.
			require.Equal(t, 300+int(math.Ceil(got.DistanceKM*3600/25)), got.ETASeconds)
		})
	}
}

func TestOrderPlaced_is_deterministic(t *testing.T) {
	in := messages.Envelope{Key: "o-1", Type: messages.TypeOrderPlaced,
		Payload: placed(t, messages.Point{Lat: 52.52, Lng: 13.405}, messages.Point{Lat: 53.52, Lng: 13.405})}
	h := registered(t, messages.TypeOrderPlaced)
	first, err := h.Handle(context.Background(), in)
	require.NoError(t, err)
	second, err := h.Handle(context.Background(), in)
	require.NoError(t, err)
	require.Equal(t, first, second)
	require.Equal(t, messages.TypeOrderDispatched, first.Type)
	// 111.195 km → ceil(111195 m / (25000 m / 3600 s)) = 16013 s, plus 300.
	require.Equal(t, `{"order_id":"o-1","zone":"z+525+0134","distance_km":111.195,"eta_seconds":16313}`,
		string(first.Payload))
}

func TestOrderPlaced_rejects(t *testing.T) {
	berlin := messages.Point{Lat: 52.52, Lng: 13.405}
	tests := []struct {
		name    string
		key     string
		payload []byte
		wantIs  error
		wantMsg string
	}{
		{name: "order_id_not_key", key: "o-2", payload: placed(t, berlin, berlin), wantIs: messages.ErrInvalid,
			wantMsg: `invalid order.placed: order_id: "o-1" does not match the record key "o-2"`},
		{name: "pickup_lat_91", key: "o-1", payload: placed(t, messages.Point{Lat: 91}, berlin), wantIs: messages.ErrInvalid,
			wantMsg: "invalid order.placed: pickup.lat: 91 is out of range [-90, 90]"},
		{name: "dropoff_lng_out_of_range", key: "o-1", payload: placed(t, berlin, messages.Point{Lng: -180.01}),
			wantIs: messages.ErrInvalid, wantMsg: "invalid order.placed: dropoff.lng: -180.01 is out of range [-180, 180]"},
		{name: "missing_order_id", key: "", payload: []byte(`{"pickup":{"lat":1,"lng":1},"dropoff":{"lat":1,"lng":1}}`),
			wantIs: messages.ErrInvalid, wantMsg: "invalid order.placed: order_id: must not be empty"},
		{name: "malformed_json", key: "o-1", payload: []byte(`{"order_id":"o-1",`), wantIs: messages.ErrUndecodable,
			wantMsg: "decode order.placed: undecodable payload: unexpected EOF"},
		{name: "empty_payload", key: "o-1", payload: nil, wantIs: messages.ErrUndecodable,
			wantMsg: "decode order.placed: undecodable payload: empty"},
		{name: "unknown_field", key: "o-1", payload: []byte(`{"order_id":"o-1","pick_up":{"lat":1,"lng":1}}`),
			wantIs: messages.ErrUndecodable, wantMsg: `decode order.placed: undecodable payload: json: unknown field "pick_up"`},
		{name: "lat_as_string", key: "o-1", payload: []byte(`{"order_id":"o-1","pickup":{"lat":"52.5","lng":1}}`),
			wantIs: messages.ErrUndecodable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := registered(t, messages.TypeOrderPlaced).Handle(context.Background(),
				messages.Envelope{Key: tt.key, Type: messages.TypeOrderPlaced, Payload: tt.payload})
			require.Zero(t, res)
			require.True(t, handlers.IsPermanent(err), "%v should be permanent", err)
			require.ErrorIs(t, err, tt.wantIs)
			if tt.wantMsg != "" {
				require.EqualError(t, err, tt.wantMsg)
			}
		})
	}
}

func TestOrderPlaced_honours_context(t *testing.T) {
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	expired, cancelExpired := context.WithTimeout(context.Background(), -1)
	defer cancelExpired()
	tests := []struct {
		name   string
		ctx    context.Context
		wantIs error
	}{
		{name: "canceled", ctx: canceled, wantIs: context.Canceled},
		{name: "deadline_exceeded", ctx: expired, wantIs: context.DeadlineExceeded},
	}
	valid := placed(t, messages.Point{Lat: 1, Lng: 1}, messages.Point{Lat: 2, Lng: 2})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := registered(t, messages.TypeOrderPlaced).Handle(tt.ctx, messages.Envelope{Key: "o-1", Payload: valid})
			require.ErrorIs(t, err, tt.wantIs)
			require.False(t, handlers.IsPermanent(err))
		})
	}
}

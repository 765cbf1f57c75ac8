package handlers

import (
	"context"
	"fmt"
	"math"

	"dispatchd/messages"
)

// Planning constants. They are part of the contract of order.dispatched:
// changing one changes every ETA, so change them on purpose.
const (
	// earthRadiusKM is the IUGG mean Earth radius, R1.
	earthRadiusKM = 6371.0088
	// pickupSeconds is the fixed time to reach and load a pickup.
	pickupSeconds = 300
	// courierKMPerHour is the assumed average courier speed in town.
	courierKMPerHour = 25
)

// DispatchOrder plans an order.placed into an order.dispatched: a zone, a
// distance and an ETA. It is a pure function of the payload, so a redelivered
// record yields a byte-identical result and downstream can deduplicate.
// Validation has ruled out NaN and Inf, so the plan always encodes.
func DispatchOrder(_ context.Context, o messages.OrderPlaced) (messages.OrderDispatched, error) {
	// Work in whole metres: rounding here keeps the result identical across
	// platforms whose float maths differs in the last bits (FMA on arm64),
	// and lets the ETA be computed exactly in integers.
	metres := int64(math.Round(haversineKM(o.Pickup, o.Dropoff) * 1000))
	// Travel time at courierKMPerHour, rounded up: s = m * 3600 / (km/h * 1000).
	travel := (metres*3600 + courierKMPerHour*1000 - 1) / (courierKMPerHour * 1000)
	return messages.OrderDispatched{
		OrderID:    o.OrderID,
		Zone:       zone(o.Pickup),
		DistanceKM: float64(metres) / 1000,
		ETASeconds: pickupSeconds + int(travel),
	}, nil
}

// haversineKM is the great-circle distance between a and b on a sphere of
// radius earthRadiusKM. Haversine rather than the spherical law of cosines
// because it stays accurate for the short hops couriers make.
func haversineKM(a, b messages.Point) float64 {
	lat1, lat2 := radians(a.Lat), radians(b.Lat)
	dLat, dLng := lat2-lat1, radians(b.Lng-a.Lng)
	sinLat, sinLng := math.Sin(dLat/2), math.Sin(dLng/2)
	h := sinLat*sinLat + math.Cos(lat1)*math.Cos(lat2)*sinLng*sinLng
	// Rounding can push h a hair above 1 for antipodal points; Asin(>1) is NaN.
	return 2 * earthRadiusKM * math.Asin(math.Sqrt(math.Min(h, 1)))
}

// radians converts degrees to radians.
func radians(deg float64) float64 { return deg * math.Pi / 180 }

// zone names the 0.1° × 0.1° grid cell (about 11 km × 11 km or less) that
// holds p: "z", then floor(lat×10) signed and zero-padded to 3 digits, then
// floor(lng×10) signed and zero-padded to 4, e.g. Berlin (52.52, 13.405) is
// "z+525+0134" and New York (40.71, -74.01) is "z+407-0741". A fixed-width
// grid id rather than a geohash, because anyone can compute it by hand from
// the coordinates when debugging a dispatch.
func zone(p messages.Point) string {
	return fmt.Sprintf("z%+04d%+05d", int(math.Floor(p.Lat*10)), int(math.Floor(p.Lng*10)))
}

package messages_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"dispatchd/messages"
)

// FuzzDecode feeds any bytes to the strict decoder of each payload type:
// it never panics, every error wraps ErrUndecodable, and what it accepts
// encodes and decodes back to the same value.
func FuzzDecode(f *testing.F) {
	for _, seed := range []string{
		`{"order_id":"o-1","pickup":{"lat":52.5,"lng":13.4},"dropoff":{"lat":52.3,"lng":13.1}}`,
		`{"order_id":"o-1","reason":"changed mind"}`,
		``, `null`, `[]`, `"x"`, `{}`, `{"order_id":1}`, `{"order_id":"o-1"} {}`, `{"ORDER_ID":"o-1"}`,
		"{\"order_id\":\"\xb7\"}", `{"order_id":"o-1","pickup":{"lat":"north"}}`, `{"x":` + string(bytes.Repeat([]byte("["), 1000)),
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		check := func(v, again any) {
			err := messages.Decode(payload, v)
			if err != nil {
				require.True(t, errors.Is(err, messages.ErrUndecodable), "error %v does not wrap ErrUndecodable", err)
				return
			}
			enc, err := messages.Encode(v)
			require.NoError(t, err)
			require.NoError(t, messages.Decode(enc, again), "what was accepted must decode again once encoded")
			require.Equal(t, v, again)
		}
		check(&messages.OrderPlaced{}, &messages.OrderPlaced{})
		check(&messages.OrderCancelled{}, &messages.OrderCancelled{})
	})
}

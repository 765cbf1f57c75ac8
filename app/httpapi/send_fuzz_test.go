package httpapi_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
)

// FuzzSend posts any body under any content type to POST /v1/messages: it
// never panics, answers only with the statuses the README lists, sends
// nothing unless it answers 202, and then sends exactly the messages it
// reports, each keyed and typed.
func FuzzSend(f *testing.F) {
	for _, seed := range []struct{ contentType, body string }{
		{"application/json", `{"key":"order-1","type":"order.placed","data":{"order_id":"order-1","pickup":{"lat":52.5,"lng":13.4},"dropoff":{"lat":52.3,"lng":13.1}}}`},
		{"application/json; charset=utf-8", `[{"key":"order-1","type":"order.cancelled","data":{"order_id":"order-1"}}]`},
		{"application/json", `[]`}, {"application/json", `{"key":"","type":"order.placed","data":{}}`},
		{"application/json", `{"key":"k","type":"order.teleported","data":{}}`}, {"application/json", "{\"key\":\"\xb7\"}"},
		{"text/plain", `{"key":"k","type":"order.placed","data":{}}`}, {"", ``}, {"application/json", `{"key":"k"} trailing`},
		{"application/json", `[` + strings.Repeat(`{"key":"k","type":"order.cancelled","data":{"order_id":"k"}},`, 600) + `{}]`},
	} {
		f.Add(seed.contentType, []byte(seed.body))
	}
	allowed := map[int]bool{http.StatusAccepted: true, http.StatusBadRequest: true, http.StatusRequestEntityTooLarge: true,
		http.StatusUnsupportedMediaType: true}
	f.Fuzz(func(t *testing.T, contentType string, body []byte) {
		sender := &recordingSender{}
		h := routes(readiness{joined: true}, sender)
		req := httptest.NewRequest(http.MethodPost, "/v1/messages", strings.NewReader(string(body)))
		req.Header.Set("Content-Type", contentType)
		rec := serve(h, req)

		require.True(t, allowed[rec.Code], "status %d for %q %q: %s", rec.Code, contentType, body, rec.Body.String())
		require.True(t, utf8.Valid(rec.Body.Bytes()), "the answer is text")
		calls, records := sender.sent()
		if rec.Code != http.StatusAccepted {
			require.Zero(t, calls, "a refused request sends nothing")
			return
		}
		var resp struct {
			Messages []struct {
				Key  string `json:"key"`
				Type string `json:"type"`
			} `json:"messages"`
		}
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &resp))
		require.Equal(t, 1, calls, "one batch")
		require.Len(t, records, len(resp.Messages))
		for i, m := range resp.Messages {
			require.NotEmpty(t, m.Key)
			require.NotEmpty(t, m.Type)
			k, err := records[i].Key.Encode()
			require.NoError(t, err)
			require.Equal(t, m.Key, string(k), "message %d is sent under the key it reports", i)
		}
	})
}

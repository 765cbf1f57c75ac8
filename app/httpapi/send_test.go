package httpapi_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/IBM/sarama"
	"github.com/stretchr/testify/require"

	"dispatchd/app/httpapi"
	"dispatchd/messages"
)

const inputTopic = "dispatch.requests"

// sendBody is one message of a POST /v1/messages body.
func sendBody(key, typ, data string) string {
	return fmt.Sprintf(`{"key":%q,"type":%q,"data":%s}`, key, typ, data)
}

// batch is a JSON array of n valid messages.
func batch(n int) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = sendBody(fmt.Sprintf("o-%d", i), messages.TypeOrderCancelled, fmt.Sprintf(`{"order_id":"o-%d"}`, i))
	}
	return "[" + strings.Join(parts, ",") + "]"
}

type sentJSON struct {
	MessageID string `json:"message_id"`
	Key       string `json:"key"`
	Type      string `json:"type"`
	Topic     string `json:"topic"`
	Partition int32  `json:"partition"`
	Offset    int64  `json:"offset"`
}

type wantRecord struct {
	key, typ, value string
}

func headers(r *sarama.ProducerMessage) map[string]string {
	out := map[string]string{}
	for _, h := range r.Headers {
		out[string(h.Key)] = string(h.Value)
	}
	return out
}

func TestSend_accepted(t *testing.T) {
	tests := []struct {
		name string
		body string
		want []wantRecord
	}{
		{
			name: "single_object",
			body: sendBody("o-1", messages.TypeOrderPlaced, `{"order_id": "o-1",  "pickup": {"lat": 52.52, "lng": 13.40}}`),
			want: []wantRecord{{"o-1", messages.TypeOrderPlaced, `{"order_id":"o-1","pickup":{"lat":52.52,"lng":13.40}}`}},
		},
		{
			name: "single_object_padded_with_whitespace",
			body: "\n  " + sendBody("o-1", messages.TypeOrderCancelled, `{"order_id":"o-1"}`) + "\n\n",
			want: []wantRecord{{"o-1", messages.TypeOrderCancelled, `{"order_id":"o-1"}`}},
		},
		{
			name: "array_of_three_in_order",
			body: "[" + sendBody("a", messages.TypeOrderPlaced, `{"n":1}`) + "," +
				sendBody("b", messages.TypeOrderCancelled, `{"n":2}`) + "," +
				sendBody("c", messages.TypeOrderPlaced, `{"n": 3}`) + "]",
			want: []wantRecord{
				{"a", messages.TypeOrderPlaced, `{"n":1}`},
				{"b", messages.TypeOrderCancelled, `{"n":2}`},
				{"c", messages.TypeOrderPlaced, `{"n":3}`},
			},
		},
		{
			name: "data_may_be_any_json_value",
			body: sendBody("k", messages.TypeOrderPlaced, `"not an object"`),
			want: []wantRecord{{"k", messages.TypeOrderPlaced, `"not an object"`}},
		},
		{
			name: "max_batch",
			body: batch(httpapi.MaxBatch),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sender := &recordingSender{}
			rec := do(t, routes(readiness{joined: true}, sender), http.MethodPost, "/v1/messages", tt.body)

			require.Equal(t, http.StatusAccepted, rec.Code, rec.Body.String())
			require.Equal(t, "application/json", rec.Header().Get("Content-Type"))
			var resp struct {
				Messages []sentJSON `json:"messages"`
			}
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &resp))
			calls, records := sender.sent()
			require.Equal(t, 1, calls, "one batch per request")
			require.Len(t, resp.Messages, len(records))
			if tt.want != nil {
				require.Len(t, records, len(tt.want))
			}
			ids := map[string]bool{}
			for i, r := range records {
				require.Equal(t, inputTopic, r.Topic)
				key, err := r.Key.Encode()
				require.NoError(t, err)
				value, err := r.Value.Encode()
				require.NoError(t, err)
				h := headers(r)
				require.Len(t, r.Headers, 3)
				id := h[messages.HeaderMessageID]
				require.NotEmpty(t, id)
				require.False(t, ids[id], "message ids are unique")
				ids[id] = true
				require.Equal(t, id, h[messages.HeaderCorrelationID], "a sent message starts its own flow")
				if tt.want != nil {
					require.Equal(t, tt.want[i].key, string(key))
					require.Equal(t, tt.want[i].typ, h[messages.HeaderType])
					require.Equal(t, tt.want[i].value, string(value))
				}
				require.Equal(t, sentJSON{
					MessageID: id, Key: string(key), Type: h[messages.HeaderType],
					Topic: inputTopic, Partition: int32(i % 3), Offset: int64(100 + i),
				}, resp.Messages[i])
			}
		})
	}
}

func TestSend_rejected(t *testing.T) {
	index := func(i int) *int { return &i }
	valid := sendBody("o-1", messages.TypeOrderPlaced, `{}`)
	tests := []struct {
		name      string
		body      string
		wantCode  int
		wantErr   string
		wantIndex *int
	}{
		{name: "empty_body", body: "", wantErr: "empty body"},
		{name: "whitespace_body", body: " \n\t ", wantErr: "empty body"},
		{name: "invalid_json", body: `{"key":`, wantErr: "invalid JSON"},
		{name: "invalid_json_array", body: `[{"key":"k"},`, wantErr: "invalid JSON"},
		{name: "trailing_data", body: valid + ` {"key":"k2"}`, wantErr: "trailing data"},
		{name: "trailing_garbage", body: valid + ` x`, wantErr: "trailing data"},
		{name: "trailing_close_brace", body: valid + `}`, wantErr: "trailing data"},
		{name: "trailing_close_bracket", body: batch(1) + `]`, wantErr: "trailing data"},
		{name: "unknown_field", body: `{"key":"k","type":"order.placed","data":{},"topic":"x"}`, wantErr: `unknown field "topic"`},
		{name: "missing_key", body: `{"type":"order.placed","data":{}}`, wantErr: "message 0: key is required", wantIndex: index(0)},
		{name: "missing_type", body: `{"key":"k","data":{}}`, wantErr: "message 0: type is required", wantIndex: index(0)},
		{
			name: "unknown_type", body: sendBody("k", "order.teleported", "{}"), wantIndex: index(0),
			wantErr: `message 0: unknown type "order.teleported": known types are order.cancelled, order.placed`,
		},
		{name: "missing_data", body: `{"key":"k","type":"order.placed"}`, wantErr: "message 0: data is required", wantIndex: index(0)},
		{name: "data_null", body: sendBody("k", messages.TypeOrderPlaced, "null"), wantErr: "message 0: data is required", wantIndex: index(0)},
		{name: "empty_array", body: "[]", wantErr: "want 1 to 500 messages, got 0"},
		{name: "too_many_messages", body: batch(httpapi.MaxBatch + 1), wantErr: "want 1 to 500 messages, got 501"},
		{
			name:    "bad_message_in_batch_sends_nothing",
			body:    "[" + valid + "," + valid + `,{"key":"","type":"order.placed","data":{}}]`,
			wantErr: "message 2: key is required", wantIndex: index(2),
		},
		{name: "json_not_object", body: `"hello"`, wantErr: "invalid JSON"},
		{
			name: "body_over_1MiB", body: sendBody("k", messages.TypeOrderPlaced, `"`+strings.Repeat("x", 1<<20)+`"`),
			wantCode: http.StatusRequestEntityTooLarge, wantErr: "too large",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sender := &recordingSender{}
			rec := do(t, routes(readiness{joined: true}, sender), http.MethodPost, "/v1/messages", tt.body)

			wantCode := tt.wantCode
			if wantCode == 0 {
				wantCode = http.StatusBadRequest
			}
			require.Equal(t, wantCode, rec.Code, rec.Body.String())
			require.Equal(t, "application/json", rec.Header().Get("Content-Type"))
			var resp struct {
				Error string `json:"error"`
				Index *int   `json:"index"`
			}
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &resp))
			require.Contains(t, resp.Error, tt.wantErr)
			require.Equal(t, tt.wantIndex, resp.Index)
			calls, _ := sender.sent()
			require.Zero(t, calls, "bad input sends nothing")
		})
	}
}

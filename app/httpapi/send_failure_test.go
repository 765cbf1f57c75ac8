package httpapi_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/IBM/sarama"
	"github.com/stretchr/testify/require"

	"dispatchd/app/kafka"
	"dispatchd/config"
	"dispatchd/messages"
)

// TestSend_failed_sends_name_no_broker_internals: the caller learns what to
// do and a request id to quote; the cause, which names brokers and topics,
// is only logged.
func TestSend_failed_sends_name_no_broker_internals(t *testing.T) {
	tests := []struct {
		name           string
		err            error
		wantCode       int
		wantErr        string
		wantRetryAfter string
	}{
		{name: "delivery_timeout", wantCode: http.StatusServiceUnavailable, wantErr: "not acknowledged by Kafka: retry later", wantRetryAfter: "5",
			err: &kafka.SendError{Count: 2, Err: fmt.Errorf("%w (2m)", kafka.ErrDeliveryTimeout)}},
		{name: "topic_not_authorized", wantCode: http.StatusServiceUnavailable, wantErr: "not acknowledged by Kafka", wantRetryAfter: "5",
			err: &kafka.SendError{Count: 2, Topic: inputTopic, Err: sarama.ErrTopicAuthorizationFailed}},
		{name: "connection_refused", wantCode: http.StatusServiceUnavailable, wantErr: "not acknowledged by Kafka", wantRetryAfter: "5",
			err: errors.New("dial tcp 10.0.0.7:9092: connect: connection refused")},
		{name: "producer_closed", wantCode: http.StatusServiceUnavailable, wantErr: "not acknowledged by Kafka", wantRetryAfter: "5",
			err: kafka.ErrProducerClosed},
		{name: "too_large_for_the_topic", wantCode: http.StatusRequestEntityTooLarge, wantErr: "larger than the topic accepts",
			err: &kafka.SendError{Count: 2, Topic: inputTopic, Err: sarama.ErrMessageSizeTooLarge}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sender := &recordingSender{err: tt.err}
			rec := do(t, routes(readiness{joined: true}, sender), http.MethodPost, "/v1/messages", batch(2))

			require.Equal(t, tt.wantCode, rec.Code, rec.Body.String())
			require.Equal(t, tt.wantRetryAfter, rec.Header().Get("Retry-After"))
			var resp map[string]any
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &resp))
			require.Contains(t, resp["error"], tt.wantErr)
			require.Equal(t, rec.Header().Get("X-Request-Id"), resp["request_id"], "the id to quote is the one logged")
			require.NotEmpty(t, resp["request_id"])
			for _, internal := range []string{inputTopic, "10.0.0.7", tt.err.Error()} {
				require.NotContains(t, rec.Body.String(), internal)
			}
			calls, _ := sender.sent()
			require.Equal(t, 1, calls)
		})
	}
}

func TestSend_a_record_over_producer_max_message_bytes_is_refused_before_sending(t *testing.T) {
	big := sendBody("o-big", messages.TypeOrderPlaced, `"`+strings.Repeat("x", 2000)+`"`)
	small := sendBody("o-1", messages.TypeOrderPlaced, `{}`)
	tests := []struct {
		name      string
		limit     int
		body      string
		wantIndex int
	}{
		{name: "default_limit_one_message_under_the_body_limit", limit: 1_000_000, wantIndex: 0,
			body: sendBody("o-big", messages.TypeOrderPlaced, `"`+strings.Repeat("x", 999_900)+`"`)},
		{name: "second_of_three", limit: 2000, body: "[" + small + "," + big + "," + small + "]", wantIndex: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sender := &recordingSender{}
			h := withSend(t, sender, func(c *config.Config) { c.Producer.MaxMessageBytes = tt.limit })
			rec := do(t, h, http.MethodPost, "/v1/messages", tt.body)

			require.Equal(t, http.StatusRequestEntityTooLarge, rec.Code, rec.Body.String())
			var resp struct {
				Error string `json:"error"`
				Index *int   `json:"index"`
			}
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &resp))
			require.Equal(t, &tt.wantIndex, resp.Index)
			require.Contains(t, resp.Error, fmt.Sprintf("more than producer.max_message_bytes (%d)", tt.limit))
			calls, _ := sender.sent()
			require.Zero(t, calls, "nothing is sent, so no part of the batch is written")
		})
	}
	// A record just under the limit goes.
	sender := &recordingSender{}
	rec := do(t, withSend(t, sender, func(c *config.Config) { c.Producer.MaxMessageBytes = 2000 }), http.MethodPost, "/v1/messages", small)
	require.Equal(t, http.StatusAccepted, rec.Code, rec.Body.String())
}

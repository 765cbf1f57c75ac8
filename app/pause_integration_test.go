package app_test

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"dispatchd/app/kafkatest"
	"dispatchd/app/router"
	"dispatchd/messages"
)

// healthz returns /healthz's status code and body.
func healthz(t *testing.T, addr string) (int, map[string]any) {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/healthz")
	require.NoError(t, err)
	defer func() { _ = resp.Body.Close() }()
	var body map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&body))
	return resp.StatusCode, body
}

// pausedFor reports whether /healthz names a pause for reason, without
// failing: a restart would not cure it.
func pausedFor(t *testing.T, addr, reason string) bool {
	code, body := healthz(t, addr)
	if code != http.StatusOK || body["status"] != "paused" {
		return false
	}
	ps, _ := body["paused"].([]any)
	for _, p := range ps {
		if m, _ := p.(map[string]any); m["reason"] == reason {
			return true
		}
	}
	return false
}

// TestDaemon_an_unwritable_topic_pauses_the_partition_until_it_is_back
// deletes the results topic, then the dead-letter topic, under a running
// daemon: the partition pauses visibly, nothing is skipped or dead-lettered
// in the meantime, and once the topic is back it resumes by itself.
func TestDaemon_an_unwritable_topic_pauses_the_partition_until_it_is_back(t *testing.T) {
	cases := []struct {
		name   string
		topic  func(c topicsOf) string
		reason string
		input  []byte // the record that meets the missing topic
		gauge  string
	}{
		{name: "results_topic", topic: func(c topicsOf) string { return c.out }, reason: router.ReasonResultsUnwritable,
			input: orderPlaced("order-1", 1)},
		{name: "dead_letter_topic", topic: func(c topicsOf) string { return c.dlq }, reason: router.ReasonDeadLetterUnwritable,
			input: []byte(`{"not": "an order"}`)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := kafkatest.Start(t)
			cfg := c.Config(t, 1)
			cfg.Producer.DeliveryTimeout = 2 * time.Second
			d := startDaemon(t, cfg)
			defer d.app.RequireStop()
			topics := topicsOf{out: cfg.Topics.Output, dlq: cfg.Topics.DeadLetter}
			missing := tc.topic(topics)
			c.DeleteTopic(t, missing)

			c.Produce(t, cfg.Topics.Input, []kafkatest.Record{
				{Key: "order-1", Value: tc.input, Headers: typed(messages.TypeOrderPlaced)},
				{Key: "order-1", Value: orderPlaced("order-1", 2), Headers: map[string]string{
					messages.HeaderType: messages.TypeOrderPlaced, messages.HeaderMessageID: "behind"}},
			})
			require.Eventually(t, func() bool { return pausedFor(t, d.http.Addr(), tc.reason) }, 30*time.Second, 50*time.Millisecond,
				"/healthz names the pause")
			m := scrape(t, d.http.Addr())
			require.Equal(t, 1.0, m[`dispatchd_partition_paused{partition="0",reason="`+tc.reason+`",topic="`+cfg.Topics.Input+`"}`])
			if missing == topics.out {
				require.Empty(t, c.ReadFor(t, cfg.Topics.DeadLetter, time.Second), "an unwritable results topic dead-letters nothing")
			} else {
				require.Empty(t, c.ReadFor(t, cfg.Topics.Output, time.Second), "the record behind the paused one waits")
			}

			// No hot loop: deliveries back off (10 ms doubling to 500 ms in
			// tests), on top of each publish's own delivery timeout.
			pausedAt := time.Now()
			time.Sleep(3 * time.Second)
			_, body := healthz(t, d.http.Addr())
			deliveries := body["paused"].([]any)[0].(map[string]any)["attempts"].(float64)
			require.LessOrEqual(t, deliveries, float64(time.Since(pausedAt)/(500*time.Millisecond))+8,
				"a paused partition is redelivered (and logged) at most every nack_backoff_max once backed off")

			c.RecreateTopic(t, 1, missing)
			c.ReadN(t, cfg.Topics.Output, 1, 60*time.Second) // the first result, once the topic is back
			require.Eventually(t, func() bool {
				code, body := healthz(t, d.http.Addr())
				return code == http.StatusOK && body["status"] == "ok"
			}, 60*time.Second, 50*time.Millisecond, "the pause ends by itself")
			results := c.ReadFor(t, cfg.Topics.Output, 2*time.Second)
			require.Equal(t, "behind", results[len(results)-1].Headers[messages.HeaderCausationID],
				"the record behind it is handled after it, in order")
			if missing == topics.dlq {
				dl := c.ReadN(t, cfg.Topics.DeadLetter, 1, 10*time.Second)
				require.Equal(t, string(tc.input), string(dl[0].Value), "the bad record is dead-lettered once the topic is back")
			}
			require.NotContains(t, scrape(t, d.http.Addr()), `dispatchd_partition_paused{partition="0",reason="`+tc.reason+`",topic="`+cfg.Topics.Input+`"}`)
		})
	}
}

// topicsOf names a test's output topics.
type topicsOf struct{ out, dlq string }

package app_test

import (
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"dispatchd/app/kafkatest"
	"dispatchd/messages"
)

// javaOn8 is where the Java client puts each key on a topic of 8
// partitions: kafka-clients 4.3.1's BuiltInPartitioner.partitionForKey, the
// same values as app/kafka's TestPartitioner table.
var javaOn8 = map[string]int32{
	"order-1": 6, "order-2": 3, "order-3": 7, "order-42": 0, "order-0001": 2,
	"customer-17": 0, "zürich-€": 4, "foobar": 6, "abc": 3, "21": 4,
}

// crc32On8 is librdkafka's placement on 8 partitions, crc32(key) % 8.
var crc32On8 = map[string]int32{
	"order-1": 7, "order-2": 5, "order-3": 3, "order-42": 6, "customer-17": 7, "zürich-€": 4,
}

// postOrders sends one order.placed per key through POST /v1/messages and
// returns the partition the answer reports for each key.
func postOrders(t *testing.T, addr string, keys []string) map[string]int32 {
	t.Helper()
	type send struct {
		Key  string          `json:"key"`
		Type string          `json:"type"`
		Data json.RawMessage `json:"data"`
	}
	var body []send
	for i, k := range keys {
		body = append(body, send{Key: k, Type: messages.TypeOrderPlaced, Data: orderPlaced(k, i)})
	}
	b, err := json.Marshal(body)
	require.NoError(t, err)
	resp, err := http.Post("http://"+addr+"/v1/messages", "application/json", strings.NewReader(string(b)))
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusAccepted, resp.StatusCode, string(raw))
	var answer struct {
		Messages []struct {
			Key       string `json:"key"`
			Partition int32  `json:"partition"`
		} `json:"messages"`
	}
	require.NoError(t, json.Unmarshal(raw, &answer))
	out := map[string]int32{}
	for _, m := range answer.Messages {
		out[m.Key] = m.Partition
	}
	return out
}

func TestDaemon_places_sends_results_and_dead_letters_where_the_partitioner_says(t *testing.T) {
	tests := []struct {
		name        string
		partitioner string // "" is the default
		want        map[string]int32
	}{
		{"default_is_javas_murmur2", "", javaOn8},
		{"crc32_is_librdkafkas", "crc32", crc32On8},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := kafkatest.Start(t)
			cfg := c.Config(t, 8)
			cfg.HTTP.Send.Enabled = true
			if tt.partitioner != "" {
				cfg.Producer.Partitioner = tt.partitioner
			}
			d := startDaemon(t, cfg)
			defer d.app.RequireStop()

			// customer-17 goes in as a broken record from another client, so
			// its dead letter is placed by dispatchd's producer; the rest go
			// in through the daemon's own producer, POST /v1/messages.
			const dead = "customer-17"
			var keys []string
			for k := range tt.want {
				if k != dead {
					keys = append(keys, k)
				}
			}
			slices.Sort(keys)
			sent := postOrders(t, d.http.Addr(), keys)
			for _, k := range keys {
				require.Equal(t, tt.want[k], sent[k], "POST /v1/messages put key %q on partition %d", k, sent[k])
			}
			c.Produce(t, cfg.Topics.Input, []kafkatest.Record{{Key: dead, Value: []byte("not json"),
				Headers: map[string]string{messages.HeaderType: messages.TypeOrderPlaced}}})

			for _, r := range c.ReadN(t, cfg.Topics.Output, len(keys), 60*time.Second) {
				require.Equal(t, tt.want[string(r.Key)], r.Partition, "result for key %q", r.Key)
			}
			dl := c.ReadN(t, cfg.Topics.DeadLetter, 1, 60*time.Second)
			require.Equal(t, dead, string(dl[0].Key))
			require.Equal(t, tt.want[dead], dl[0].Partition, "dead letter for key %q", dead)
		})
	}
}

// orders is one valid order.placed record per key.
func orders(keys ...string) []kafkatest.Record {
	rs := make([]kafkatest.Record, len(keys))
	for i, k := range keys {
		rs[i] = kafkatest.Record{Key: k, Value: orderPlaced(k, i), Headers: map[string]string{
			messages.HeaderType: messages.TypeOrderPlaced, messages.HeaderMessageID: "in-" + k,
		}}
	}
	return rs
}

func TestDaemon_never_dispatches_a_record_of_an_aborted_transaction(t *testing.T) {
	// Aborted transactions sit between committed ones on the one partition,
	// so the last committed record's result shows the daemon went past them.
	txns := []kafkatest.Txn{
		{Records: orders("committed-1", "committed-2")},
		{Records: orders("aborted-1", "aborted-2"), Abort: true},
		{Records: orders("committed-3")},
		{Records: orders("aborted-3"), Abort: true},
		{Records: orders("committed-4")},
	}
	tests := []struct {
		name  string
		level string // "" is the default
		want  []string
	}{
		{"default_reads_committed", "", []string{"committed-1", "committed-2", "committed-3", "committed-4"}},
		// The control case: the aborted records really are in the topic.
		{"read_uncommitted_dispatches_them", "read_uncommitted",
			[]string{"committed-1", "committed-2", "aborted-1", "aborted-2", "committed-3", "aborted-3", "committed-4"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := kafkatest.Start(t)
			cfg := c.Config(t, 1)
			if tt.level != "" {
				cfg.Consumer.IsolationLevel = tt.level
			}
			cfg.Health.StallTimeout = 2 * time.Second
			cfg.Consumer.StableOffsetInterval = 200 * time.Millisecond
			d := startDaemon(t, cfg)
			defer d.app.RequireStop()

			c.ProduceTxns(t, cfg.Topics.Input, txns)
			c.ReadN(t, cfg.Topics.Output, len(tt.want), 60*time.Second)
			var got []string
			for _, r := range c.ReadFor(t, cfg.Topics.Output, time.Second) { // all of them, extras included
				got = append(got, string(r.Key))
			}
			require.Equal(t, tt.want, got)
			require.Empty(t, c.ReadFor(t, cfg.Topics.DeadLetter, 200*time.Millisecond))

			// Transaction markers take offsets no record is delivered at: the
			// caught-up partition must read as idle, not stalled.
			time.Sleep(cfg.Health.StallTimeout + time.Second)
			resp, err := http.Get("http://" + d.http.Addr() + "/healthz")
			require.NoError(t, err)
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			require.Equal(t, http.StatusOK, resp.StatusCode, "healthz after the last transaction: %s", b)
			// Under read_committed the lag is measured to the last stable
			// offset, and the markers are no lag. Under read_uncommitted it is
			// the high-water mark a fetch saw, which may or may not count the
			// last marker yet: the README says so.
			if tt.level == "" {
				require.Eventually(t, func() bool { return lagOf(t, d.http.Addr()) == 0 }, 10*time.Second, 50*time.Millisecond)
			} else {
				t.Logf("dispatchd_consumer_lag after the last transaction: %v", lagOf(t, d.http.Addr()))
			}
		})
	}
}

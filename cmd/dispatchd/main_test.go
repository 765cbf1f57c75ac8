package main_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"dispatchd/app/kafkatest"
	"dispatchd/cmd/internal/proc"
	"dispatchd/messages"
)

func TestBinary_run_processes_plain_records_and_exits_0_on_SIGTERM(t *testing.T) {
	c := kafkatest.Start(t)
	cfg := c.Config(t, 8)
	env := []string{
		"DISPATCHD_KAFKA_BROKERS=" + strings.Join(c.Brokers, ","),
		"DISPATCHD_CONSUMER_GROUP=" + cfg.Consumer.Group,
		"DISPATCHD_TOPICS_INPUT=" + cfg.Topics.Input,
		"DISPATCHD_TOPICS_OUTPUT=" + cfg.Topics.Output,
		"DISPATCHD_TOPICS_DEAD_LETTER=" + cfg.Topics.DeadLetter,
		"DISPATCHD_SHUTDOWN_TIMEOUT=5s",
		"DISPATCHD_SHUTDOWN_DRAIN_TIMEOUT=3s",
		"DISPATCHD_HTTP_SEND_ENABLED=true", // the test posts to /v1/messages, which run keeps off by default
	}
	began := time.Now()
	p := start(t, command(t, env, "run"))
	t.Logf("ready after %s", waitReady(t, p, began))

	// A plain Kafka client, not watermill, writes the orders.
	var inputs []kafkatest.Record
	for i := range 20 {
		key := fmt.Sprintf("order-%d", i)
		v, _ := json.Marshal(messages.OrderPlaced{OrderID: key, Pickup: messages.Point{Lat: 1, Lng: 2}, Dropoff: messages.Point{Lat: 1.1, Lng: 2.1}})
		inputs = append(inputs, kafkatest.Record{Key: key, Value: v, Headers: map[string]string{messages.HeaderType: messages.TypeOrderPlaced}})
	}
	c.Produce(t, cfg.Topics.Input, inputs)
	// And the HTTP endpoint takes one more.
	body := `{"key":"order-http","type":"order.placed","data":{"order_id":"order-http","pickup":{"lat":1,"lng":2},"dropoff":{"lat":1.2,"lng":2.2}}}`
	resp, err := http.Post("http://"+p.Addr+"/v1/messages", "application/json", strings.NewReader(body))
	require.NoError(t, err)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusAccepted, resp.StatusCode, string(b))

	results := c.ReadN(t, cfg.Topics.Output, len(inputs)+1, 30*time.Second)
	for _, r := range results {
		require.Equal(t, messages.TypeOrderDispatched, r.Headers[messages.HeaderType])
		require.NotEmpty(t, r.Headers[messages.HeaderCausationID])
		require.NotEmpty(t, r.Headers[messages.HeaderCorrelationID])
		require.True(t, strings.HasPrefix(r.Headers[messages.HeaderSource], cfg.Topics.Input+"/"))
	}

	code, took := term(t, p)
	t.Logf("exit %d %s after SIGTERM", code, took)
	require.Equal(t, 0, code, "a clean drain within shutdown.timeout exits 0")
	require.Contains(t, p.Log(), "leaving consumer group")
}

func TestBinary_dev_serves_its_embedded_broker(t *testing.T) {
	if os.Getenv(kafkatest.EnvBrokers) != "" {
		t.Log("dev always uses its embedded broker; it runs here regardless of " + kafkatest.EnvBrokers)
	}
	broker, err := proc.FreeAddr()
	require.NoError(t, err)
	began := time.Now()
	p := start(t, command(t, []string{"DISPATCHD_KAFKA_BROKERS=" + broker}, "dev"))
	t.Logf("dev ready after %s", waitReady(t, p, began))

	send := exec.Command(binary(t), "send", "--brokers", broker, "--key", "order-1", "--type", "order.placed")
	send.Stdin = strings.NewReader(`{"order_id":"order-1","pickup":{"lat":52.52,"lng":13.40},"dropoff":{"lat":52.50,"lng":13.45}}` + "\n")
	out, err := send.CombinedOutput()
	require.NoError(t, err, string(out))
	// partition 6 of 8 is where the Java client puts order-1 (producer.partitioner=murmur2).
	require.Contains(t, string(out), "sent topic=dispatch.requests partition=6 ")

	tail := exec.Command(binary(t), "tail", "--brokers", broker, "--from-beginning", "-n", "1", "--timeout", "20s")
	out, err = tail.CombinedOutput()
	require.NoError(t, err, string(out))
	line := strings.TrimSpace(string(out))
	require.Contains(t, line, "key=order-1")
	require.True(t, strings.HasPrefix(line, "partition=6 "), "the result goes where Java puts its key too: %s", line)
	require.Contains(t, line, "type=order.dispatched")
	require.Contains(t, line, `"zone":"z+525+0134"`)

	code, took := term(t, p)
	t.Logf("exit %d %s after SIGTERM", code, took)
	require.Equal(t, 0, code)
	sc := bufio.NewScanner(strings.NewReader(p.Log()))
	partitions := ""
	for sc.Scan() {
		if strings.Contains(sc.Text(), "topic ready") && strings.Contains(sc.Text(), "dispatch.requests") {
			partitions = sc.Text()
		}
	}
	require.Contains(t, partitions, `"partitions": 8`, "dev gives the input topic at least 8 partitions")
}

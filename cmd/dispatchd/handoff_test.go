package main_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/stretchr/testify/require"

	"dispatchd/app/kafkatest"
	"dispatchd/messages"
)

// The scenario: 3 replicas of the real binary, 12 partitions,
// continuous keyed load, one replica stopped; an independent checker reads
// the input (through the producer's own partition/offset answers) and the
// results topic. Handoff is measured and logged, never asserted on time.

func TestHandoff_SIGTERM_one_of_three_replicas(t *testing.T) {
	h := runHandoff(t, syscall.SIGTERM)
	require.Zero(t, h.lost, "inputs without a result")
	require.Zero(t, h.orderViolations, "per-key order of first deliveries")
	require.Zero(t, h.duplicates, "a graceful stop commits everything it finished: nothing is redone")
}

func TestHandoff_kill_9_one_of_three_replicas(t *testing.T) {
	h := runHandoff(t, syscall.SIGKILL)
	require.Zero(t, h.lost, "inputs without a result")
	require.Zero(t, h.orderViolations, "per-key order of first deliveries")
	// The killed replica's uncommitted window: inputs on its partitions at or
	// past the group's committed offset (read right after the kill, before any
	// new owner can commit) whose result it had already published. The new
	// owner redoes exactly those, so nothing beyond them may be duplicated.
	require.LessOrEqual(t, h.duplicates, h.window, "duplicates beyond the killed replica's uncommitted window")
}

const (
	handoffPartitions = 12
	handoffKeys       = 300
	handoffReplicas   = 3
)

// handoff is what one run measured.
type handoff struct {
	lost, duplicates, orderViolations, window int
}

type input struct {
	key string
	seq int
}

func runHandoff(t *testing.T, sig syscall.Signal) handoff {
	began := time.Now()
	c := kafkatest.Start(t)
	cfg := c.Config(t, handoffPartitions)
	in, out := cfg.Topics.Input, cfg.Topics.Output
	c.CreateTopics(t, handoffPartitions, in, out, cfg.Topics.DeadLetter)
	env := []string{
		"DISPATCHD_KAFKA_BROKERS=" + strings.Join(c.Brokers, ","),
		"DISPATCHD_CONSUMER_GROUP=" + cfg.Consumer.Group,
		"DISPATCHD_TOPICS_INPUT=" + in,
		"DISPATCHD_TOPICS_OUTPUT=" + out,
		"DISPATCHD_TOPICS_DEAD_LETTER=" + cfg.Topics.DeadLetter,
		"DISPATCHD_TOPICS_PARTITIONS=" + strconv.Itoa(handoffPartitions),
		"DISPATCHD_LOG_FORMAT=json",
		"DISPATCHD_LOG_LEVEL=info",
		"DISPATCHD_CONSUMER_SESSION_TIMEOUT=6s",
	}
	var rs []*replica
	for i := range handoffReplicas {
		rs = append(rs, startReplica(t, fmt.Sprintf("r%d", i), env))
	}
	for _, r := range rs {
		r.waitReady(t)
	}
	owned := waitSettled(t, rs, in)
	t.Logf("settled after %s: %v", time.Since(began).Round(time.Millisecond), owned)

	chk := startChecker(t, c, out)
	load := startLoad(t, c, in)

	time.Sleep(3 * time.Second)
	victim := rs[1]
	victimParts := victim.owned(t, in) // ownership right before the signal
	require.NotEmpty(t, victimParts)
	sigAt := time.Now()
	require.NoError(t, victim.cmd.Process.Signal(sig))
	select {
	case <-victim.exited:
	case <-time.After(30 * time.Second):
		t.Fatalf("%s did not exit after %s", victim.name, sig)
	}
	exitAt := victim.exitAt
	if sig == syscall.SIGKILL {
		// A produce request already on the wire when the process died may still
		// be appended; no new owner can start before the session timeout.
		time.Sleep(200 * time.Millisecond)
	}
	// Everything below these marks on the results topic was published before
	// the victim was gone; a result above them on one of its partitions was
	// published by another replica.
	hwm := highWaterMarks(t, c, out)
	committed := committedOffsets(t, c, cfg.Consumer.Group, in, victimParts)
	t.Logf("%s %s: owned %v, exited %s after the signal (code %d), committed %v",
		sig, victim.name, victimParts, exitAt.Sub(sigAt).Round(time.Millisecond), victim.cmd.ProcessState.ExitCode(), committed)

	// Keep the load on until another replica has taken over, then a bit more.
	isVictim := func(p int32) bool { return slices.Contains(victimParts, p) }
	require.Eventually(t, func() bool {
		return chk.firstAfter(hwm, isVictim) != nil
	}, 30*time.Second, 20*time.Millisecond, "no other replica published from %s's partitions", victim.name)
	time.Sleep(2 * time.Second)
	sent := load.stop(t)

	// Wait until every input has a result.
	require.Eventually(t, func() bool { return chk.distinct() >= len(sent) }, 60*time.Second, 50*time.Millisecond,
		"results for %d inputs", len(sent))
	time.Sleep(500 * time.Millisecond) // late duplicates, if any
	results := chk.stop(t)

	h, report := check(t, sent, results, hwm, isVictim, committed, sigAt)
	graceful := "graceful_ms"
	if sig == syscall.SIGKILL {
		graceful = "kill9_ms"
	}
	t.Logf("HANDOFF %s=%s %s broker=%s inputs=%d duplicates=%d window=%d lost=%d order_violations=%d test_s=%.1f",
		graceful, report.handoffMS, report.detail, c.Kind, len(sent), h.duplicates, h.window, h.lost, h.orderViolations,
		time.Since(began).Seconds())
	if len(report.dupes) > 0 {
		t.Logf("duplicates by input partition: %s", strings.Join(report.dupes, "; "))
	}
	for _, r := range rs {
		if r != victim {
			r.stop(t)
		}
	}
	return h
}

// ---- replicas ----------------------------------------------------------

// replica is one dispatchd process; its log is read while it runs, so it
// is captured under a lock (main_test.go's proc reads only after exit).
type replica struct {
	name   string
	cmd    *exec.Cmd
	http   string
	log    *lockedBuffer
	exited chan struct{}
	exitAt time.Time // set before exited closes
}

func startReplica(t *testing.T, name string, env []string) *replica {
	t.Helper()
	r := &replica{name: name, http: freeAddr(t), log: &lockedBuffer{}, exited: make(chan struct{})}
	r.cmd = exec.Command(binary(t), "run")
	r.cmd.Env = append(os.Environ(), append(env, "DISPATCHD_HTTP_ADDR="+r.http)...)
	r.cmd.Stderr, r.cmd.Stdout = r.log, r.log
	require.NoError(t, r.cmd.Start())
	go func() {
		_ = r.cmd.Wait()
		r.exitAt = time.Now()
		close(r.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-r.exited:
		default:
			_ = r.cmd.Process.Kill()
			<-r.exited
		}
		if t.Failed() {
			t.Logf("%s log:\n%s", r.name, r.log.String())
		}
	})
	return r
}

func (r *replica) waitReady(t *testing.T) {
	t.Helper()
	require.Eventually(t, func() bool { return httpStatus("http://"+r.http+"/readyz") == http.StatusOK },
		60*time.Second, 20*time.Millisecond, "%s never ready", r.name)
}

func (r *replica) stop(t *testing.T) {
	_ = r.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-r.exited:
	case <-time.After(30 * time.Second):
		t.Errorf("%s did not exit after SIGTERM", r.name)
	}
}

var ownedLine = regexp.MustCompile(`^dispatchd_last_commit_age_seconds\{partition="(\d+)",topic="([^"]+)"\}`)

// owned is the partitions of topic the replica owns now. With the
// cooperative-sticky strategy sarama calls Setup (and so logs "joined
// consumer group" with its claims) only on the first join, so the log does
// not follow later rebalances; the per-partition commit-age gauge does: it
// exists from a claim's start to its end.
func (r *replica) owned(t *testing.T, topic string) []int32 {
	resp, err := http.Get("http://" + r.http + "/metrics")
	if err != nil {
		return nil
	}
	defer resp.Body.Close()
	var ps []int32
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if m := ownedLine.FindStringSubmatch(sc.Text()); m != nil && m[2] == topic {
			p, _ := strconv.Atoi(m[1])
			ps = append(ps, int32(p))
		}
	}
	slices.Sort(ps)
	return ps
}

// waitSettled waits until the replicas own every partition between them,
// each some and none twice, the same way on two looks 500 ms apart.
func waitSettled(t *testing.T, rs []*replica, topic string) map[string][]int32 {
	t.Helper()
	var last string
	var owned map[string][]int32
	require.Eventually(t, func() bool {
		owned = map[string][]int32{}
		seen := map[int32]bool{}
		for _, r := range rs {
			ps := r.owned(t, topic)
			if len(ps) == 0 {
				return false
			}
			for _, p := range ps {
				if seen[p] {
					return false
				}
				seen[p] = true
			}
			owned[r.name] = ps
		}
		now := fmt.Sprint(owned)
		stable := len(seen) == handoffPartitions && now == last
		last = now
		return stable
	}, 60*time.Second, 500*time.Millisecond, "the group never settled")
	return owned
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func httpStatus(url string) int {
	resp, err := http.Get(url)
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}

// ---- load --------------------------------------------------------------

// source is where an input landed: its partition and offset on the input
// topic, which a result names in its dispatch_source header.
type source struct {
	partition int32
	offset    int64
}

// load sends keyed order.placed records one at a time with a plain sarama
// SyncProducer, and remembers where each landed and its per-key sequence.
type load struct {
	quit, done chan struct{}
	sent       map[source]input
	err        error
}

func startLoad(t *testing.T, c *kafkatest.Cluster, topic string) *load {
	p, err := sarama.NewSyncProducer(c.Brokers, c.SaramaConfig(t))
	require.NoError(t, err)
	l := &load{quit: make(chan struct{}), done: make(chan struct{}), sent: map[source]input{}}
	go func() {
		defer close(l.done)
		defer p.Close()
		tick := time.NewTicker(3 * time.Millisecond)
		defer tick.Stop()
		deadline := time.After(45 * time.Second) // bounded even if stop is never called
		for i := 0; i < 20000; i++ {
			select {
			case <-l.quit:
				return
			case <-deadline:
				return
			case <-tick.C:
			}
			in := input{key: fmt.Sprintf("order-%03d", i%handoffKeys), seq: i / handoffKeys}
			v, _ := json.Marshal(messages.OrderPlaced{OrderID: in.key,
				Pickup:  messages.Point{Lat: 52.5 + float64(i%10)/100, Lng: 13.4},
				Dropoff: messages.Point{Lat: 52.4, Lng: 13.5 + float64(i%7)/100}})
			part, off, err := p.SendMessage(&sarama.ProducerMessage{Topic: topic, Key: sarama.StringEncoder(in.key),
				Value:   sarama.ByteEncoder(v),
				Headers: []sarama.RecordHeader{{Key: []byte(messages.HeaderType), Value: []byte(messages.TypeOrderPlaced)}}})
			if err != nil {
				l.err = fmt.Errorf("send %s seq %d: %w", in.key, in.seq, err)
				return
			}
			l.sent[source{part, off}] = in
		}
	}()
	t.Cleanup(func() { l.stopNow() })
	return l
}

func (l *load) stopNow() {
	select {
	case <-l.quit:
	default:
		close(l.quit)
	}
	<-l.done
}

// stop ends the load and returns every input sent.
func (l *load) stop(t *testing.T) map[source]input {
	l.stopNow()
	require.NoError(t, l.err)
	return l.sent
}

// ---- checker -----------------------------------------------------------

// result is one record read back from the results topic.
type result struct {
	src    source
	key    string
	outP   int32
	outOff int64
	ts     time.Time // the record's timestamp: when the publishing replica produced it
	recv   time.Time
}

// checker reads the results topic from the start, outside any group.
type checker struct {
	consumer sarama.Consumer
	wg       sync.WaitGroup
	mu       sync.Mutex
	results  []result
	srcs     map[source]bool
	bad      []string
}

func startChecker(t *testing.T, c *kafkatest.Cluster, topic string) *checker {
	consumer, err := sarama.NewConsumer(c.Brokers, c.SaramaConfig(t))
	require.NoError(t, err)
	k := &checker{consumer: consumer, srcs: map[source]bool{}}
	parts, err := consumer.Partitions(topic)
	require.NoError(t, err)
	for _, p := range parts {
		pc, err := consumer.ConsumePartition(topic, p, sarama.OffsetOldest)
		require.NoError(t, err)
		k.wg.Go(func() {
			for m := range pc.Messages() {
				k.add(m)
			}
		})
		t.Cleanup(func() { pc.AsyncClose() })
	}
	t.Cleanup(func() { _ = consumer.Close() })
	return k
}

func (k *checker) add(m *sarama.ConsumerMessage) {
	r := result{key: string(m.Key), outP: m.Partition, outOff: m.Offset, ts: m.Timestamp, recv: time.Now()}
	var srcHeader string
	for _, h := range m.Headers {
		if string(h.Key) == messages.HeaderSource {
			srcHeader = string(h.Value)
		}
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	parts := strings.Split(srcHeader, "/")
	if len(parts) < 3 {
		k.bad = append(k.bad, fmt.Sprintf("out %d/%d: dispatch_source %q", m.Partition, m.Offset, srcHeader))
		return
	}
	p, err1 := strconv.Atoi(parts[len(parts)-2])
	o, err2 := strconv.ParseInt(parts[len(parts)-1], 10, 64)
	if err1 != nil || err2 != nil {
		k.bad = append(k.bad, fmt.Sprintf("out %d/%d: dispatch_source %q", m.Partition, m.Offset, srcHeader))
		return
	}
	if r.ts.IsZero() {
		r.ts = r.recv
	}
	r.src = source{int32(p), o}
	k.results = append(k.results, r)
	k.srcs[r.src] = true
}

func (k *checker) distinct() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return len(k.srcs)
}

// firstAfter is the earliest result, by timestamp, above the marks on one
// of the partitions victim says, or nil.
func (k *checker) firstAfter(hwm map[int32]int64, victim func(int32) bool) *result {
	k.mu.Lock()
	defer k.mu.Unlock()
	return first(k.results, func(r result) bool { return r.outOff >= hwm[r.outP] && victim(r.src.partition) })
}

func first(rs []result, ok func(result) bool) *result {
	var best *result
	for i := range rs {
		if ok(rs[i]) && (best == nil || rs[i].ts.Before(best.ts)) {
			best = &rs[i]
		}
	}
	return best
}

func (k *checker) stop(t *testing.T) []result {
	k.mu.Lock()
	defer k.mu.Unlock()
	require.Empty(t, k.bad, "results without a readable dispatch_source")
	return slices.Clone(k.results)
}

// ---- verdict -----------------------------------------------------------

type span struct{ lo, hi, n int64 }

type handoffReport struct {
	handoffMS, detail string
	dupes             []string
}

// check counts lost inputs, duplicates and per-key order violations over
// first deliveries, sizes the victim's uncommitted window, and measures the
// handoff.
//
// Handoff is from the signal to the first result another replica published
// from the victim's partitions. A result is "another replica's" when it sits
// at or above the results topic's high-water mark read once the victim was
// gone: everything the victim published, its drained in-flight results
// included, is below it. handoff_new is the same for the first input the
// victim had not handled (input offset above the highest it published a
// result for); after a graceful stop the two coincide, after kill -9 the new
// owner first redoes the uncommitted window. Times are the records'
// timestamps, set by the publishing replica on this same host.
func check(t *testing.T, sent map[source]input, results []result, hwm map[int32]int64,
	victim func(int32) bool, committed map[int32]int64, sigAt time.Time) (handoff, handoffReport) {
	var h handoff
	var rep handoffReport
	slices.SortFunc(results, func(a, b result) int {
		if a.outP != b.outP {
			return int(a.outP - b.outP)
		}
		return int(a.outOff - b.outOff)
	})
	bySrc := map[source][]result{}
	lastSeq := map[string]int{}
	dupes := map[int32]*span{}  // duplicated input offsets, per partition
	before := map[int32]int64{} // highest input offset the victim published a result for, per partition
	for _, r := range results {
		in, ok := sent[r.src]
		require.True(t, ok, "result at out %d/%d names input %v, which the test never sent", r.outP, r.outOff, r.src)
		require.Equal(t, in.key, r.key, "result key of input %v", r.src)
		bySrc[r.src] = append(bySrc[r.src], r)
		if r.outOff < hwm[r.outP] && victim(r.src.partition) {
			before[r.src.partition] = max(before[r.src.partition], r.src.offset+1)
		}
		if len(bySrc[r.src]) > 1 {
			continue // a duplicate; order is judged on first deliveries
		}
		if s, seen := lastSeq[in.key]; seen && in.seq <= s {
			h.orderViolations++
			t.Logf("order: %s seq %d (input %v) after seq %d", in.key, in.seq, r.src, s)
		}
		lastSeq[in.key] = max(lastSeq[in.key], in.seq)
	}
	for src := range sent {
		switch n := len(bySrc[src]); {
		case n == 0:
			h.lost++
			if h.lost <= 20 {
				t.Logf("lost: input %v (%s seq %d)", src, sent[src].key, sent[src].seq)
			}
		case n > 1:
			h.duplicates += n - 1
			d := dupes[src.partition]
			if d == nil {
				d = &span{lo: src.offset, hi: src.offset}
				dupes[src.partition] = d
			}
			d.lo, d.hi, d.n = min(d.lo, src.offset), max(d.hi, src.offset), d.n+int64(n-1)
		}
		// The victim's uncommitted window: handled and published by it, but
		// at or past the offset the group had committed when it was gone.
		if victim(src.partition) && src.offset >= max(committed[src.partition], 0) &&
			slices.ContainsFunc(bySrc[src], func(r result) bool { return r.outOff < hwm[r.outP] }) {
			h.window++
		}
	}
	for p, d := range dupes {
		rep.dupes = append(rep.dupes, fmt.Sprintf("input %d/%d..%d: %d", p, d.lo, d.hi, d.n))
	}
	slices.Sort(rep.dupes)

	ms := func(r *result) string {
		if r == nil {
			return "none"
		}
		return strconv.FormatInt(r.ts.Sub(sigAt).Milliseconds(), 10)
	}
	other := func(r result) bool { return r.outOff >= hwm[r.outP] && victim(r.src.partition) }
	firstOther := first(results, other)
	firstNew := first(results, func(r result) bool { return other(r) && r.src.offset >= before[r.src.partition] })
	recvMS := "none"
	if firstOther != nil {
		recvMS = strconv.FormatInt(firstOther.recv.Sub(sigAt).Milliseconds(), 10)
	}
	rep.handoffMS = ms(firstOther)
	rep.detail = fmt.Sprintf("handoff_new_ms=%s handoff_recv_ms=%s", ms(firstNew), recvMS)
	return h, rep
}

// ---- cluster reads -----------------------------------------------------

// highWaterMarks is the next offset of every partition of topic.
func highWaterMarks(t *testing.T, c *kafkatest.Cluster, topic string) map[int32]int64 {
	client, err := sarama.NewClient(c.Brokers, c.SaramaConfig(t))
	require.NoError(t, err)
	defer client.Close()
	parts, err := client.Partitions(topic)
	require.NoError(t, err)
	hwm := map[int32]int64{}
	for _, p := range parts {
		hwm[p], err = client.GetOffset(topic, p, sarama.OffsetNewest)
		require.NoError(t, err)
	}
	return hwm
}

// committedOffsets is the group's committed offset (-1: none) per partition.
func committedOffsets(t *testing.T, c *kafkatest.Cluster, group, topic string, parts []int32) map[int32]int64 {
	admin, err := sarama.NewClusterAdmin(c.Brokers, c.SaramaConfig(t))
	require.NoError(t, err)
	defer admin.Close()
	resp, err := admin.ListConsumerGroupOffsets(group, map[string][]int32{topic: parts})
	require.NoError(t, err)
	out := map[int32]int64{}
	for _, p := range parts {
		out[p] = -1
		if b := resp.GetBlock(topic, p); b != nil {
			out[p] = b.Offset
		}
	}
	return out
}

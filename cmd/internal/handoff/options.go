// Package handoff is the handoff scenario as a harness: it starts replicas
// of the real dispatchd binary as OS processes over one fresh group and
// fresh topics, puts them under continuous keyed load, stops one of them
// (SIGTERM, kill -9, or SIGTERM and a static restart), and has an
// independent checker read the results topic to count what was lost,
// duplicated or reordered, and how long the handoff took. The tests in
// cmd/dispatchd assert on its Result; dispatch-bench reports it.
package handoff

import (
	"cmp"
	"errors"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/IBM/sarama"

	"dispatchd/config"
)

// Scenario is what happens to the stopped replica.
type Scenario string

// The scenarios.
const (
	// Graceful sends SIGTERM: the replica drains, commits and leaves the group.
	Graceful Scenario = "graceful"
	// Kill sends SIGKILL: nothing is drained or committed, and the group
	// notices only after the session timeout.
	Kill Scenario = "kill"
	// StaticRestart gives every replica a static instance id that stays in the
	// group when it stops, sends SIGTERM, and starts the replica again at once
	// with the same id, within the session timeout.
	StaticRestart Scenario = "static_restart"
)

// Options configure one Run.
type Options struct {
	// Brokers are the bootstrap addresses of the cluster to run against.
	Brokers []string
	// KafkaVersion is the protocol version of the harness's own clients
	// (default: dispatchd's default).
	KafkaVersion string
	// Scenario is what happens to the stopped replica.
	Scenario Scenario
	// Command returns the command that runs replica name as `dispatchd run`
	// would. Run sets its Env (this process's environment plus the replica's
	// DISPATCHD_* settings), Stdout and Stderr.
	Command func(name string) *exec.Cmd
	// Env is extra environment for every replica, after the harness's own
	// settings, so it can override them, e.g. DISPATCHD_CONSUMER_ORDERING=key.
	Env []string
	// Group, Input, Output and DeadLetter name the consumer group and the
	// topics, which should be fresh (default: new names under "handoff.").
	Group, Input, Output, DeadLetter string
	// Replicas is how many replicas run (default 3); the second is stopped.
	Replicas int
	// Partitions of the input and results topics (default 12).
	Partitions int32
	// Keys is how many distinct keys the load cycles through (default 300).
	Keys int
	// Logf receives progress lines (default: discarded).
	Logf func(format string, args ...any)
}

// sessionTimeout is the replicas' consumer session timeout: a kill -9 is
// noticed after it, and a static restart must rejoin within it.
const sessionTimeout = 6 * time.Second

// withDefaults fills in the defaults and validates.
func (o Options) withDefaults() (Options, error) {
	stamp := "handoff." + strconv.FormatInt(time.Now().UnixNano(), 36)
	for _, f := range []struct {
		v    *string
		name string
	}{{&o.Group, ".group"}, {&o.Input, ".in"}, {&o.Output, ".out"}, {&o.DeadLetter, ".dlq"}} {
		if *f.v == "" {
			*f.v = stamp + f.name
		}
	}
	if o.KafkaVersion == "" {
		o.KafkaVersion = config.Default().Kafka.Version
	}
	o.Replicas = cmp.Or(o.Replicas, 3)
	o.Partitions = cmp.Or(o.Partitions, 12)
	o.Keys = cmp.Or(o.Keys, 300)
	if o.Logf == nil {
		o.Logf = func(string, ...any) {}
	}
	switch {
	case len(o.Brokers) == 0:
		return o, errors.New("missing brokers")
	case o.Command == nil:
		return o, errors.New("missing command")
	case o.Scenario != Graceful && o.Scenario != Kill && o.Scenario != StaticRestart:
		return o, fmt.Errorf("unknown scenario %q", o.Scenario)
	case o.Replicas < 2:
		return o, errors.New("replicas must be at least 2: one to stop, one to take over")
	case int(o.Partitions) < o.Replicas:
		return o, errors.New("partitions must be at least replicas: each replica owns some")
	}
	return o, nil
}

// env is replica name's environment on top of this process's.
func (o Options) env(name string) []string {
	env := []string{
		"DISPATCHD_KAFKA_BROKERS=" + strings.Join(o.Brokers, ","),
		"DISPATCHD_CONSUMER_GROUP=" + o.Group,
		"DISPATCHD_TOPICS_INPUT=" + o.Input,
		"DISPATCHD_TOPICS_OUTPUT=" + o.Output,
		"DISPATCHD_TOPICS_DEAD_LETTER=" + o.DeadLetter,
		"DISPATCHD_TOPICS_PARTITIONS=" + strconv.Itoa(int(o.Partitions)),
		"DISPATCHD_LOG_FORMAT=json",
		"DISPATCHD_LOG_LEVEL=info",
		"DISPATCHD_CONSUMER_SESSION_TIMEOUT=" + sessionTimeout.String(),
	}
	if o.Scenario == StaticRestart {
		env = append(env, "DISPATCHD_CONSUMER_INSTANCE_ID="+name, "DISPATCHD_CONSUMER_LEAVE_ON_STOP=false")
	}
	return append(env, o.Env...)
}

// sarama is a plain client config for the harness's own producer, reader
// and admin: what any Kafka client, not dispatchd, would use.
func (o Options) sarama() (*sarama.Config, error) {
	sc := sarama.NewConfig()
	v, err := sarama.ParseKafkaVersion(o.KafkaVersion)
	if err != nil {
		return nil, fmt.Errorf("kafka version: %w", err)
	}
	sc.Version = v
	sc.Producer.Return.Successes = true
	sc.Producer.RequiredAcks = sarama.WaitForAll
	sc.Producer.Partitioner = sarama.NewHashPartitioner
	sc.Consumer.Offsets.Initial = sarama.OffsetOldest
	return sc, nil
}

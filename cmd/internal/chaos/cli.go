// Package chaos is dispatchd's failure suite: it runs replicas of the real
// binary under keyed load against a 3-node Apache Kafka cluster, injects
// one failure per scenario (a broker killed, the whole cluster restarted,
// a replica cut off the network, rolling restarts, scaling, hostile
// records), and judges the input, results and dead-letter topics with a
// franz-go reader of its own: lost, duplicated, reordered, how long until
// every partition publishes again. dispatch-chaos prints its CHAOS lines.
package chaos

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"dispatchd/cmd/internal/proc"
)

// scenario runs one failure in one ordering and returns its CHAOS line.
type scenario func(e *Env, ctx context.Context, ordering string) (string, error)

// Scenarios are the failures, in the order they run: broker_kill last of
// each ordering's set would leave a node dead, so it starts it again itself.
var Scenarios = []struct {
	Name string
	Run  scenario
}{
	{"hostile_input", (*Env).HostileInput},
	{"hostile_unwritable", (*Env).HostileUnwritable},
	{"rolling_restart", (*Env).RollingRestart},
	{"scale", (*Env).Scale},
	{"network_cut", (*Env).NetworkCut},
	{"cluster_restart", (*Env).ClusterRestart},
	{"broker_kill", (*Env).BrokerKill},
}

// Main runs the suite and returns the exit code: 1 when a scenario failed
// to run, measured a loss or an order violation, or failed a bound of its
// own (a note saying FAIL:).
func Main(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("dispatch-chaos", flag.ContinueOnError)
	fs.SetOutput(stderr)
	only := fs.String("scenarios", "", "comma-separated scenarios to run (default all)")
	orderings := fs.String("orderings", "partition,key", "consumer.ordering values to run each scenario in")
	script := fs.String("kafka", "deployments/kafka/kafka.sh", "the Kafka launcher")
	state := fs.String("state", "/tmp/chaos-kafka", "the cluster's KAFKA_LAB_STATE")
	base := fs.Int("port-base", 19292, "the cluster's KAFKA_LAB_PORT_BASE: brokers on it and the next two ports, controllers 100 above")
	keep := fs.Bool("keep", false, "leave the cluster and the network namespace up afterwards")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	logf := func(format string, a ...any) {
		fmt.Fprintf(stderr, "%s "+format+"\n", append([]any{time.Now().UTC().Format("15:04:05")}, a...)...)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	var bin proc.Binary
	defer func() { _ = bin.Remove() }()
	path, err := bin.Path()
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	ns := DefaultNetns
	e := &Env{Bin: path, Netns: ns, Partitions: 8, Logf: logf,
		Cluster: Cluster{Script: *script, State: *state, Host: ns.BrokerAddr, PortBase: *base, Logf: logf}}
	if err := ns.Up(); err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	if !*keep {
		defer ns.Down()
		defer func() { _ = e.Cluster.Down() }()
	}
	if err := e.Cluster.Up(); err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	code := 0
	for _, ordering := range strings.Split(*orderings, ",") {
		for _, s := range Scenarios {
			if *only != "" && !slices.Contains(strings.Split(*only, ","), s.Name) {
				continue
			}
			began := time.Now()
			line, err := s.Run(e, ctx, ordering)
			if err != nil || !strings.Contains(line, " lost=0 ") || !strings.Contains(line, " order_violations=0 ") ||
				strings.Contains(line, "FAIL:") {
				code = 1
			}
			fmt.Fprintln(stdout, line)
			logf("%s (%s) took %s", s.Name, ordering, time.Since(began).Round(time.Second))
			if ctx.Err() != nil {
				return 1
			}
		}
	}
	return code
}

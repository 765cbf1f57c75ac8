package bench

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"

	"go.uber.org/zap"

	"dispatchd/app/devbroker"
	"dispatchd/app/kafka"
	"dispatchd/config"
)

// Main is dispatch-bench's command line; it returns the exit code.
func Main(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "contender" {
		return contenderMain(args[1:], stderr)
	}
	if len(args) > 0 && args[0] == "replica" {
		return replicaMain(args[1:], stdout, stderr)
	}
	fs := flag.NewFlagSet("dispatch-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	brokers := fs.String("brokers", "", "Kafka bootstrap brokers, comma-separated (default: an embedded kfake broker in this process)")
	messages := fs.Int("messages", 200000, "records in the preloaded input")
	keys := fs.Int("keys", 1000, "distinct keys")
	partitions := fs.Int("partitions", 8, "partitions of the input and output topics")
	rounds := fs.Int("rounds", 2, "rounds; each runs every contender once, in turn, starting one later than the round before (as many rounds as contenders puts each in every position once)")
	timeout := fs.Duration("timeout", 2*time.Minute, "bound on one run")
	profiles := fs.String("cpuprofile-dir", "", "write a CPU profile and an allocation profile of each contender's run (dispatchd's and the baselines') into this directory")
	memProfiles := fs.String("memprofile-dir", "", "write an inuse heap profile of each dispatchd run, taken at its largest heap, into this directory, and print its peak memory by class")
	contenders := fs.String("contenders", strings.Join(Contenders, ","), "overhead scenario: comma-separated contenders, the baseline of its table first")
	scenarios := fs.String("scenarios", "overhead,key,handoff", "comma-separated scenarios to run, in order: overhead, key, handoff, tracing")
	var keySizes KeySizes
	keySizes.Bind(fs)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	bs := split(*brokers)
	if len(bs) == 0 {
		b, err := devbroker.Start("127.0.0.1:0", nil, zap.NewNop())
		if err != nil {
			fmt.Fprintln(stderr, "dispatch-bench:", err)
			return 1
		}
		defer b.Close()
		bs = []string{b.Addr()}
		fmt.Fprintf(stderr, "broker: embedded kfake at %s (in this process, on the same cores)\n", b.Addr())
	} else {
		fmt.Fprintf(stderr, "broker: %s\n", *brokers)
	}
	cfg := config.Default()
	cfg.Kafka.Brokers = bs
	sc, err := kafka.SaramaConfig(cfg)
	if err != nil {
		fmt.Fprintln(stderr, "dispatch-bench:", err)
		return 1
	}
	self, err := os.Executable()
	if err != nil {
		fmt.Fprintln(stderr, "dispatch-bench:", err)
		return 1
	}
	// Made before any run, so a missing directory does not fail the
	// first profile minutes into the bench.
	for _, dir := range []string{*profiles, *memProfiles} {
		if dir == "" {
			continue
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			fmt.Fprintln(stderr, "dispatch-bench:", err)
			return 1
		}
	}
	r := &Runner{Brokers: bs, Sarama: sc, Self: self, Timeout: *timeout, Log: stderr, ProfileDir: *profiles, MemProfileDir: *memProfiles}
	w := Workload{Messages: *messages, Keys: *keys, Partitions: int32(*partitions)}
	start := time.Now()
	var runs []Run
	for _, sc := range split(*scenarios) {
		var got []Run
		var err error
		switch sc {
		case "overhead":
			got, err = Overhead(context.Background(), r, w, *rounds, split(*contenders), stdout)
		case "key":
			got, err = Key(context.Background(), r, w, *rounds, keySizes, stdout)
		case "handoff":
			got, err = Handoff(context.Background(), r, stdout)
		case "tracing":
			got, err = Tracing(context.Background(), r, w, *rounds, stdout)
		default:
			fmt.Fprintf(stderr, "dispatch-bench: unknown scenario %q\n", sc)
			return 2
		}
		if err != nil {
			fmt.Fprintf(stderr, "dispatch-bench: %s: %v\n", sc, err)
			return 1
		}
		runs = append(runs, got...)
	}
	fmt.Fprintf(stderr, "bench took %s\n", time.Since(start).Round(time.Second))
	for _, run := range runs {
		if run.Failed() {
			return 1
		}
	}
	return 0
}

// contenderMain runs one contender until SIGTERM: the child-process side.
func contenderMain(args []string, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "usage: dispatch-bench contender raw|stock|pipelined|franz|dispatchd --brokers ... --group ... --input ... --output ...")
		return 2
	}
	kind := args[0]
	fs := flag.NewFlagSet("contender", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var t Target
	brokers := fs.String("brokers", "", "")
	fs.StringVar(&t.Group, "group", "", "")
	fs.StringVar(&t.Input, "input", "", "")
	fs.StringVar(&t.Output, "output", "", "")
	profile := fs.String("cpuprofile", "", "")
	allocs := fs.String("allocprofile", "", "")
	heap := fs.String("heapprofile", "", "")
	var opts Options
	opts.Bind(fs)
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	t.Brokers = split(*brokers)
	if *profile != "" {
		f, err := os.Create(*profile)
		if err != nil {
			fmt.Fprintln(stderr, err)
			return 1
		}
		_ = pprof.StartCPUProfile(f)
		defer func() { pprof.StopCPUProfile(); _ = f.Close() }()
	}
	if *allocs != "" {
		defer writeAllocs(*allocs, stderr)
	}
	if *heap != "" {
		w, done := newMemWatch(), make(chan struct{})
		go w.run(done)
		defer func() { close(done); w.report(stderr, *heap) }()
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	if err := RunContender(ctx, kind, t, opts); err != nil {
		fmt.Fprintf(stderr, "contender %s: %v\n", kind, err)
		return 1
	}
	return 0
}

// writeAllocs writes the allocations since start (pprof's "allocs"
// profile, read with -sample_index=alloc_space or alloc_objects).
func writeAllocs(path string, stderr io.Writer) {
	f, err := os.Create(path)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return
	}
	defer func() { _ = f.Close() }()
	if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
		fmt.Fprintln(stderr, err)
	}
}

func split(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

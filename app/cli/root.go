// Package cli is dispatchd's command line: cobra commands that load the
// config, then run the daemon or one of the operator tools. main only calls
// Main and exits with its code.
package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/IBM/sarama"
	"github.com/spf13/cobra"

	"dispatchd/app/kafka"
	"dispatchd/config"
)

// Exit codes.
const (
	ExitOK      = 0
	ExitFailure = 1
	ExitUsage   = 2 // bad flags or bad config: nothing was started
	ExitForced  = 130
)

// exitError carries an exit code through cobra.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func usageErr(err error) error { return &exitError{code: ExitUsage, err: err} }

// globals are the flags every command shares.
type globals struct {
	configPath string
	brokers    string
	httpAddr   string
	group      string
	logLevel   string
	logFormat  string
	ordering   string
}

// flagPaths maps each config-overriding flag to its config path.
var flagPaths = map[string]string{
	"brokers": "kafka.brokers", "http-addr": "http.addr", "group": "consumer.group",
	"log-level": "log.level", "log-format": "log.format", "ordering": "consumer.ordering",
}

// load builds the config from file, DISPATCHD_* and the flags that were set,
// and validates it. Its errors are exit code 2.
func (g *globals) load(cmd *cobra.Command) (config.Config, error) {
	over := map[string]string{}
	for name, path := range flagPaths {
		if f := cmd.Flags().Lookup(name); f != nil && f.Changed {
			over[path] = f.Value.String()
		}
	}
	cfg, err := config.Load(g.configPath, os.Environ(), over)
	if err != nil {
		return cfg, usageErr(err)
	}
	if err := cfg.Validate(); err != nil {
		return cfg, usageErr(err)
	}
	return cfg, nil
}

// loadClient is load plus the sarama client config the tools connect with.
func (g *globals) loadClient(cmd *cobra.Command) (config.Config, *sarama.Config, error) {
	cfg, err := g.load(cmd)
	if err != nil {
		return cfg, nil, err
	}
	sc, err := kafka.SaramaConfig(cfg)
	if err != nil {
		return cfg, nil, usageErr(err)
	}
	return cfg, sc, nil
}

// NewRoot builds the command tree. `dispatchd` alone means `dispatchd run`.
func NewRoot(stdin io.Reader, stdout, stderr io.Writer) *cobra.Command {
	g := &globals{}
	root := &cobra.Command{
		Use:   "dispatchd",
		Short: "Event-driven Kafka dispatch worker",
		Long: `dispatchd consumes keyed messages from an input topic as consumer group
"dispatch-service", dispatches each message type to its handler in
per-partition order (or per-key order, with --ordering key), publishes each
result to the results topic under the same key, retries failures and parks
them in a dead-letter topic.

Configuration comes from defaults, then --config FILE (YAML), then DISPATCHD_*
environment variables, then flags. See "dispatchd config print".`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	pf := root.PersistentFlags()
	pf.StringVarP(&g.configPath, "config", "c", "", "YAML config file")
	pf.StringVar(&g.brokers, "brokers", "", "Kafka bootstrap brokers, comma-separated (kafka.brokers)")
	pf.StringVar(&g.httpAddr, "http-addr", "", "HTTP listen address (http.addr)")
	pf.StringVar(&g.group, "group", "", "consumer group (consumer.group)")
	pf.StringVar(&g.logLevel, "log-level", "", "debug, info, warn or error (log.level)")
	pf.StringVar(&g.logFormat, "log-format", "", "json or console (log.format)")
	pf.StringVar(&g.ordering, "ordering", "", "partition or key (consumer.ordering)")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageErr(err) })

	run := runCmd(g)
	root.RunE = run.RunE
	root.AddCommand(run, devCmd(g), sendCmd(g), tailCmd(g), topicsCmd(g), configCmd(g), versionCmd())
	return root
}

// Main runs the command line and returns the process exit code.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	root := NewRoot(stdin, stdout, stderr)
	root.SetArgs(args)
	err := root.Execute()
	if err == nil {
		return ExitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintln(stderr, "dispatchd:", ee.err)
		}
		return ee.code
	}
	fmt.Fprintln(stderr, "dispatchd:", err)
	if isUsage(err) {
		return ExitUsage
	}
	return ExitFailure
}

// isUsage reports cobra's own usage errors (unknown command or flag).
func isUsage(err error) bool {
	s := err.Error()
	return strings.HasPrefix(s, "unknown command") || strings.HasPrefix(s, "unknown flag") ||
		strings.HasPrefix(s, "unknown shorthand flag") || strings.Contains(s, "accepts ")
}

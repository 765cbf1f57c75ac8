// Package cli is dispatchd's command line: cobra commands that load the
// config, then run the daemon or one of the operator tools. main only calls
// Main and exits with its code.
package cli

import (
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"
)

// Exit codes.
const (
	ExitOK      = 0
	ExitFailure = 1
	ExitUsage   = 2 // bad flags or bad config: nothing was started
	ExitForced  = 130
)

// NewRoot builds the command tree. `dispatchd` alone means `dispatchd run`.
func NewRoot(stdin io.Reader, stdout, stderr io.Writer) *cobra.Command {
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
	addGlobalFlags(root)

	run := runCmd()
	root.RunE = run.RunE
	root.AddCommand(run, devCmd(), sendCmd(), tailCmd(), topicsCmd(), configCmd(), doctorCmd(), versionCmd())
	root.InitDefaultCompletionCmd() // now rather than in Execute, so its errors get typed too
	typeUsageErrors(root)
	return root
}

// Main runs the command line and returns the process exit code.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	root := NewRoot(stdin, stdout, stderr)
	root.SetArgs(args)
	err := execute(root)
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
	return ExitFailure
}

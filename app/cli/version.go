package cli

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"

	"dispatchd/app/telemetry"
)

// Version is the release version, set at build time with
// -ldflags "-X dispatchd/app/cli.Version=v1.2.3".
var Version = "dev"

// buildInfo names this build: Version, and the VCS revision when the
// toolchain recorded one.
func buildInfo() telemetry.BuildInfo {
	b := telemetry.BuildInfo{Version: Version, Commit: "unknown"}
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			if s.Key == "vcs.revision" {
				b.Commit = s.Value
			}
		}
	}
	return b
}

func versionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version, commit and Go version",
		Args:  cobra.NoArgs,
		Run: func(cmd *cobra.Command, _ []string) {
			b := buildInfo()
			fmt.Fprintf(cmd.OutOrStdout(), "dispatchd %s (commit %s, %s %s/%s)\n",
				b.Version, b.Commit, runtime.Version(), runtime.GOOS, runtime.GOARCH)
		},
	}
}

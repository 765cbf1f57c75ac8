package cli_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"dispatchd/app/cli"
)

// Command-line mistakes exit with the usage code and say what was wrong,
// whichever stage of cobra caught them.
func TestUsageErrors(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		wantErr string // stderr, after "dispatchd: "
	}{
		{name: "unknown_command", args: []string{"nope"}, wantErr: `unknown command "nope" for "dispatchd"` + "\n"},
		{name: "unknown_command_suggests", args: []string{"rn"},
			wantErr: `unknown command "rn" for "dispatchd"` + "\n\nDid you mean this?\n\trun\n\n"},
		{name: "unexpected_argument", args: []string{"run", "extra"}, wantErr: `unknown command "extra" for "dispatchd run"` + "\n"},
		{name: "unexpected_argument_of_nested_command", args: []string{"config", "check", "extra"},
			wantErr: `unknown command "extra" for "dispatchd config check"` + "\n"},
		{name: "unexpected_argument_of_cobra_completion", args: []string{"completion", "bash", "extra"},
			wantErr: `unknown command "extra" for "dispatchd completion bash"` + "\n"},
		{name: "unknown_flag", args: []string{"--nope"}, wantErr: "unknown flag: --nope\n"},
		{name: "unknown_flag_of_subcommand", args: []string{"config", "check", "--nope"}, wantErr: "unknown flag: --nope\n"},
		{name: "unknown_shorthand_flag", args: []string{"-x"}, wantErr: "unknown shorthand flag: 'x' in -x\n"},
		{name: "flag_without_value", args: []string{"--brokers"}, wantErr: "flag needs an argument: --brokers\n"},
		{name: "flag_value_unparsable", args: []string{"tail", "-n", "abc"}, wantErr: `invalid argument "abc" for "-n, --n" flag`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer

			code := cli.Main(tt.args, strings.NewReader(""), &stdout, &stderr)

			require.Equal(t, cli.ExitUsage, code, "stderr: %s", stderr.String())
			require.True(t, strings.HasPrefix(stderr.String(), "dispatchd: "+tt.wantErr), stderr.String())
			require.Empty(t, stdout.String())
		})
	}
}

// cobra's help for an unknown topic stays as it was: not an error.
func TestHelp_unknown_topic(t *testing.T) {
	var stdout, stderr bytes.Buffer
	require.Equal(t, cli.ExitOK, cli.Main([]string{"help", "nope"}, strings.NewReader(""), &stdout, &stderr))
	require.Contains(t, stdout.String(), "Unknown help topic")
	require.Empty(t, stderr.String())
}

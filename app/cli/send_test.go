package cli_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"dispatchd/app/cli"
)

func TestSendValues(t *testing.T) {
	tests := []struct {
		name    string
		key     string
		typ     string
		data    string
		raw     bool
		stdin   string
		want    []string
		wantErr string
	}{
		{name: "data_flag", key: "k", typ: "t", data: `{"a":1}`, want: []string{`{"a":1}`}},
		{name: "data_flag_ignores_stdin", key: "k", typ: "t", data: `{"a":1}`, stdin: "{}\n", want: []string{`{"a":1}`}},
		{name: "stdin_lines", key: "k", typ: "t", stdin: "{\"n\":1}\n{\"n\":2}\n", want: []string{`{"n":1}`, `{"n":2}`}},
		{name: "stdin_last_line_without_newline", key: "k", typ: "t", stdin: "{\"n\":1}\n[2]", want: []string{`{"n":1}`, `[2]`}},
		{
			name: "blank_lines_skipped_and_lines_trimmed", key: "k", typ: "t",
			stdin: "\n  {\"n\":1}  \n\n\t\n{\"n\":2}\r\n", want: []string{`{"n":1}`, `{"n":2}`},
		},
		{name: "raw_allows_non_json", key: "k", typ: "t", raw: true, stdin: "nope\n{}\n", want: []string{"nope", "{}"}},
		{name: "raw_data_flag", key: "k", typ: "t", raw: true, data: "nope", want: []string{"nope"}},
		{name: "missing_key", typ: "t", data: "{}", wantErr: "--key and --type are required"},
		{name: "missing_type", key: "k", data: "{}", wantErr: "--key and --type are required"},
		{name: "invalid_data", key: "k", typ: "t", data: "nope", wantErr: "value 1 is not valid JSON (use --raw"},
		{name: "invalid_stdin_line", key: "k", typ: "t", stdin: "{}\n\n{\n", wantErr: "value 2 is not valid JSON"},
		{name: "nothing_on_stdin", key: "k", typ: "t", wantErr: "nothing to send"},
		{name: "only_blank_lines", key: "k", typ: "t", stdin: "\n \n\t\n", wantErr: "nothing to send"},
		{
			name: "long_invalid_value_truncated", key: "k", typ: "t", data: strings.Repeat("x", 500),
			wantErr: "not valid JSON (use --raw to send it anyway): " + strings.Repeat("x", 80),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := cli.SendValues(tt.key, tt.typ, tt.data, tt.raw, strings.NewReader(tt.stdin))
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				require.NotContains(t, err.Error(), strings.Repeat("x", 81), "the value is cut at 80 bytes")
				require.Nil(t, got)
				return
			}
			require.NoError(t, err)
			strs := make([]string, len(got))
			for i, v := range got {
				strs[i] = string(v)
			}
			require.Equal(t, tt.want, strs)
		})
	}
}

func TestSendValues_line_too_long(t *testing.T) {
	_, err := cli.SendValues("k", "t", "", false, strings.NewReader(strings.Repeat("x", 2<<20)+"\n"))
	require.ErrorContains(t, err, "read stdin")
}

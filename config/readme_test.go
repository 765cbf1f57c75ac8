package config_test

import (
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"dispatchd/config"
)

var update = flag.Bool("update", false, "rewrite the README's config reference from the code")

// The README's config reference is the generated one, so docs match code.
// `go test ./config/ -run Readme -update` rewrites it.
func TestReadme_config_reference_matches_the_code(t *testing.T) {
	b, err := os.ReadFile("../README.md")
	require.NoError(t, err)
	const start, end = "<!-- config-reference:start -->\n", "<!-- config-reference:end -->"
	s := string(b)
	i, j := strings.Index(s, start), strings.Index(s, end)
	require.True(t, i >= 0 && j > i, "README lacks the config-reference markers")
	if *update {
		s = s[:i+len(start)] + config.ReferenceMarkdown() + s[j:]
		require.NoError(t, os.WriteFile("../README.md", []byte(s), 0o644))
		i, j = strings.Index(s, start), strings.Index(s, end)
	}
	require.Equal(t, config.ReferenceMarkdown(), s[i+len(start):j],
		"README's config reference is stale: run go test ./config/ -run Readme -update")
	for _, v := range config.EnvVars() {
		require.Contains(t, s, v.Name)
	}
}

package config_test

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"dispatchd/config"
)

// The README's config reference is the generated one, so docs match code.
func TestReadme_config_reference_matches_the_code(t *testing.T) {
	b, err := os.ReadFile("../README.md")
	require.NoError(t, err)
	const start, end = "<!-- config-reference:start -->\n", "<!-- config-reference:end -->"
	s := string(b)
	i, j := strings.Index(s, start), strings.Index(s, end)
	require.True(t, i >= 0 && j > i, "README lacks the config-reference markers")
	require.Equal(t, config.ReferenceMarkdown(), s[i+len(start):j],
		"README's config reference is stale: paste the output of config.ReferenceMarkdown()")
	for _, v := range config.EnvVars() {
		require.Contains(t, s, v.Name)
	}
}

// Package deployments_test keeps the service units, the image and the
// manifests under deployments/ honest against the code: every DISPATCHD_*
// name they set exists, every environment they build loads and validates,
// probes hit routes the daemon serves on the port it listens on, and every
// supervisor waits longer than the daemon's own bounded stop.
package deployments_test

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// read returns the file at rel, relative to deployments/.
func read(t *testing.T, rel string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.FromSlash(rel))
	require.NoError(t, err)
	return string(b)
}

// yamlDocs decodes every document of the YAML file at rel into out, a
// function called once per non-empty document.
func yamlDocs(t *testing.T, rel string, out func(doc *yaml.Node)) {
	t.Helper()
	dec := yaml.NewDecoder(bytes.NewReader([]byte(read(t, rel))))
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return
		}
		require.NoError(t, err, rel)
		if len(doc.Content) > 0 && doc.Content[0].Kind != 0 {
			out(&doc)
		}
	}
}

// yamlFiles lists the YAML files under dir.
func yamlFiles(t *testing.T, dir string) []string {
	t.Helper()
	var files []string
	for _, pat := range []string{"*.yaml", "*.yml"} {
		m, err := filepath.Glob(filepath.Join(dir, pat))
		require.NoError(t, err)
		files = append(files, m...)
	}
	require.NotEmpty(t, files, "no YAML in %s", dir)
	return files
}

// unit is a parsed systemd unit: section -> key -> values in file order.
type unit map[string]map[string][]string

// parseUnit reads a unit file, with specifiers replaced as spec says.
func parseUnit(t *testing.T, rel string, spec map[string]string) unit {
	t.Helper()
	text := read(t, rel)
	for k, v := range spec {
		text = strings.ReplaceAll(text, k, v)
	}
	u := unit{}
	section := ""
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, ";"):
		case strings.HasPrefix(line, "["):
			section = strings.Trim(line, "[]")
			u[section] = map[string][]string{}
		default:
			k, v, ok := strings.Cut(line, "=")
			require.True(t, ok, "%s: not KEY=VALUE: %q", rel, line)
			require.NotEmpty(t, section, "%s: %q outside a section", rel, line)
			u[section][k] = append(u[section][k], v)
		}
	}
	return u
}

// last is the effective value of a single-valued unit setting.
func (u unit) last(section, key string) string {
	v := u[section][key]
	if len(v) == 0 {
		return ""
	}
	return v[len(v)-1]
}

// environment is the unit's Environment= assignments, in order.
func (u unit) environment() []string {
	var out []string
	for _, v := range u["Service"]["Environment"] {
		out = append(out, strings.Fields(v)...)
	}
	return out
}

// envFile is the NAME=value lines of an EnvironmentFile, comments skipped.
func envFile(t *testing.T, rel string) []string {
	t.Helper()
	var out []string
	for _, line := range strings.Split(read(t, rel), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		require.Contains(t, line, "=", "%s: not NAME=value: %q", rel, line)
		out = append(out, line)
	}
	return out
}

// instruction is one Dockerfile instruction of the final stage.
type instruction struct{ cmd, args string }

// finalStage returns the instructions of the Dockerfile's last stage, FROM
// included, with continuation lines joined.
func finalStage(t *testing.T, rel string) []instruction {
	t.Helper()
	joined := regexp.MustCompile(`\\\n`).ReplaceAllString(read(t, rel), " ")
	var stage []instruction
	for _, line := range strings.Split(joined, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		cmd, args, _ := strings.Cut(line, " ")
		in := instruction{strings.ToUpper(cmd), strings.TrimSpace(args)}
		if in.cmd == "FROM" {
			stage = nil
		}
		stage = append(stage, in)
	}
	require.NotEmpty(t, stage, "%s: no FROM", rel)
	return stage
}

// all returns the arguments of every instruction cmd in stage.
func all(stage []instruction, cmd string) []string {
	var out []string
	for _, in := range stage {
		if in.cmd == cmd {
			out = append(out, in.args)
		}
	}
	return out
}

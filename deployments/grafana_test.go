package deployments_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

const dashboardFile = "grafana/dashboards/dispatchd.json"

// panel is a Grafana panel; a row holds more panels.
type panel struct {
	Type       string         `json:"type"`
	Title      string         `json:"title"`
	Datasource map[string]any `json:"datasource"`
	Targets    []struct {
		Expr       string         `json:"expr"`
		Datasource map[string]any `json:"datasource"`
	} `json:"targets"`
	Panels []panel `json:"panels"`
}

type dashboard struct {
	Panels     []panel `json:"panels"`
	Templating struct {
		List []struct {
			Name       string         `json:"name"`
			Type       string         `json:"type"`
			Query      any            `json:"query"`
			Definition string         `json:"definition"`
			Datasource map[string]any `json:"datasource"`
		} `json:"list"`
	} `json:"templating"`
}

func readDashboard(t *testing.T) dashboard {
	t.Helper()
	var d dashboard
	require.NoError(t, json.Unmarshal([]byte(read(t, dashboardFile)), &d))
	require.NotEmpty(t, d.Panels)
	return d
}

// all returns every panel, those inside rows included.
func (d dashboard) all() []panel {
	var out []panel
	var walk func([]panel)
	walk = func(ps []panel) {
		for _, p := range ps {
			out = append(out, p)
			walk(p.Panels)
		}
	}
	walk(d.Panels)
	return out
}

var labelValues = regexp.MustCompile(`^label_values\((.+),\s*\w+\)$`)

// queries returns every PromQL expression of the dashboard by where it is:
// panel targets, and the series selectors of its query variables.
func (d dashboard) queries(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	for n, p := range d.all() {
		for i, tg := range p.Targets {
			require.NotEmpty(t, tg.Expr, "panel %q target %d has no expr", p.Title, i)
			out[fmt.Sprintf("panel %d %q target %d", n, p.Title, i)] = tg.Expr
		}
	}
	for _, v := range d.Templating.List {
		if v.Type != "query" {
			continue
		}
		m := labelValues.FindStringSubmatch(v.Definition)
		require.NotNil(t, m, "variable %s: want label_values(selector, label), got %q", v.Name, v.Definition)
		out["variable "+v.Name] = m[1]
	}
	return out
}

var grafanaVar = regexp.MustCompile(`\$\{(\w+)(?::\w+)?\}|\$(\w+)|\[\[(\w+)\]\]`)

// expand replaces Grafana's variables with values of their kind, so that
// what is left is plain PromQL; a variable the dashboard does not define
// fails the test.
func (d dashboard) expand(t *testing.T, expr string) string {
	t.Helper()
	values := map[string]string{"__rate_interval": "1m", "__interval": "1m", "__range": "1h"}
	for _, v := range d.Templating.List {
		values[v.Name] = ".*"
	}
	return grafanaVar.ReplaceAllStringFunc(expr, func(m string) string {
		s := grafanaVar.FindStringSubmatch(m)
		name := s[1] + s[2] + s[3]
		v, ok := values[name]
		require.True(t, ok, "%q uses $%s, which the dashboard does not define", expr, name)
		return v
	})
}

// TestDashboard_queries_are_valid_PromQL hands every query, variables
// expanded, to promtool check rules as a recording rule, which parses it.
func TestDashboard_queries_are_valid_PromQL(t *testing.T) {
	d := readDashboard(t)
	var rules []map[string]string
	for where, q := range d.queries(t) {
		rules = append(rules, map[string]string{"record": fmt.Sprintf("dashboard:query_%d", len(rules)), "expr": d.expand(t, q)})
		t.Logf("%s: %s", where, q)
	}
	b, err := yaml.Marshal(map[string]any{"groups": []any{map[string]any{"name": "dashboard", "rules": rules}}})
	require.NoError(t, err)
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "dashboard.rules.yml"), b, 0o600))
	runPromtool(t, dir, "check", "rules", "dashboard.rules.yml")
}

// TestDashboard_reads_only_series_that_exist: each series is one dispatchd
// serves or the recording rules write (never a pending metric).
func TestDashboard_reads_only_series_that_exist(t *testing.T) {
	served, recorded := servedMetrics(t), recordedNames(t)
	for where, q := range readDashboard(t).queries(t) {
		for _, n := range dispatchdNames(q) {
			require.True(t, served[n] || recorded[n], "%s reads %s, which is neither served nor recorded", where, n)
		}
	}
}

// TestDashboard_shows_what_an_operator_watches: the metrics behind the
// panels, recorded series traced back to what they read.
func TestDashboard_shows_what_an_operator_watches(t *testing.T) {
	exprOf := map[string]string{}
	for _, rules := range ruleFiles(t) {
		for _, r := range rules {
			if r.Record != "" {
				exprOf[r.Record] += " " + r.Expr
			}
		}
	}
	shown := map[string]bool{}
	var trace func(string)
	trace = func(expr string) {
		for _, n := range dispatchdNames(expr) {
			if !shown[n] {
				shown[n] = true
				trace(exprOf[n])
			}
		}
	}
	for _, q := range readDashboard(t).queries(t) {
		trace(q)
	}
	for _, m := range []string{
		"dispatchd_messages_consumed_total", "dispatchd_results_published_total", "dispatchd_messages_handled_total",
		"dispatchd_handler_duration_seconds_bucket", "dispatchd_dead_letters_total", "dispatchd_consumer_lag",
		"dispatchd_inflight_messages", "dispatchd_partitions_assigned", "dispatchd_rebalances_total",
		"dispatchd_last_commit_age_seconds", "dispatchd_partition_paused", "dispatchd_commit_errors_total",
	} {
		require.True(t, shown[m], "no panel shows %s", m)
	}
}

// TestDashboard_queries_its_datasource_variable: the dashboard works on any
// Prometheus data source, picked by its `datasource` variable.
func TestDashboard_queries_its_datasource_variable(t *testing.T) {
	d := readDashboard(t)
	var found bool
	for _, v := range d.Templating.List {
		if v.Type == "datasource" {
			require.Equal(t, "datasource", v.Name)
			require.Equal(t, "prometheus", v.Query)
			found = true
		} else {
			require.Equal(t, "${datasource}", v.Datasource["uid"], "variable %s", v.Name)
		}
	}
	require.True(t, found, "no datasource variable")
	for _, p := range d.all() {
		if p.Type == "row" {
			continue
		}
		require.Equal(t, "${datasource}", p.Datasource["uid"], "panel %q", p.Title)
		for _, tg := range p.Targets {
			require.Equal(t, "${datasource}", tg.Datasource["uid"], "panel %q", p.Title)
		}
	}
}

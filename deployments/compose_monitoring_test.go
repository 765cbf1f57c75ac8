package deployments_test

import (
	"cmp"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// promConfig is the part of a Prometheus configuration the tests read.
type promConfig struct {
	RuleFiles     []string `yaml:"rule_files"`
	ScrapeConfigs []struct {
		JobName       string `yaml:"job_name"`
		MetricsPath   string `yaml:"metrics_path"`
		StaticConfigs []struct {
			Targets []string `yaml:"targets"`
		} `yaml:"static_configs"`
	} `yaml:"scrape_configs"`
}

// composePrometheus returns the prometheus service and the file its
// --config.file is mounted from.
func composePrometheus(t *testing.T) (composeService, string) {
	t.Helper()
	p, ok := composeServices(t)["prometheus"]
	require.True(t, ok, "a prometheus service")
	return p, p.hostPath(t, p.flag("config.file", "/etc/prometheus/prometheus.yml"))
}

var jobSelector = regexp.MustCompile(`job="([^"]*)"`)

// TestCompose_prometheus_scrapes_each_replica_where_it_serves_metrics: one
// target per replica, by container name, on the port whose listener (as
// built from the compose environment) serves the metrics path; the job is
// the one the alerts select.
func TestCompose_prometheus_scrapes_each_replica_where_it_serves_metrics(t *testing.T) {
	var project struct {
		Name string `yaml:"name"`
	}
	require.NoError(t, yaml.Unmarshal([]byte(read(t, composeFile)), &project))
	_, file := composePrometheus(t)
	var cfg promConfig
	require.NoError(t, yaml.Unmarshal([]byte(read(t, file)), &cfg))
	require.Len(t, cfg.ScrapeConfigs, 1)
	sc := cfg.ScrapeConfigs[0]
	path := cmp.Or(sc.MetricsPath, "/metrics")

	d := composeServices(t)["dispatchd"]
	var metricsPorts []string
	for p, h := range environRoutes(t, append(imageEnviron(t), d.environment(t)...), true) {
		if get(h, path) == http.StatusOK {
			metricsPorts = append(metricsPorts, p)
		}
	}
	require.Len(t, metricsPorts, 1, "exactly one listener serves %s", path)
	var want, got []string
	for i := 1; i <= d.Deploy.Replicas; i++ {
		want = append(want, fmt.Sprintf("%s-dispatchd-%d:%s", project.Name, i, metricsPorts[0]))
	}
	for _, s := range sc.StaticConfigs {
		got = append(got, s.Targets...)
	}
	require.ElementsMatch(t, want, got)

	for file, rules := range ruleFiles(t) {
		for _, r := range rules {
			for _, m := range jobSelector.FindAllStringSubmatch(r.Expr, -1) {
				require.Equal(t, sc.JobName, m[1], "%s: %s selects a job compose does not scrape", file, r.Alert)
			}
		}
	}
}

// TestCompose_prometheus_loads_the_rules_the_tests_prove: its rule_files,
// followed through the mounts, are exactly deployments/prometheus/*.rules.yml,
// and promtool accepts the configuration with them.
func TestCompose_prometheus_loads_the_rules_the_tests_prove(t *testing.T) {
	p, file := composePrometheus(t)
	var cfg promConfig
	require.NoError(t, yaml.Unmarshal([]byte(read(t, file)), &cfg))
	var loaded, abs []string
	for _, pattern := range cfg.RuleFiles {
		m, err := filepath.Glob(p.hostPath(t, pattern))
		require.NoError(t, err)
		loaded = append(loaded, m...)
		a, err := filepath.Abs(p.hostPath(t, pattern))
		require.NoError(t, err)
		abs = append(abs, a)
	}
	var want []string
	for name := range maps.Keys(ruleFiles(t)) {
		want = append(want, filepath.Join(rulesDir, name))
	}
	require.ElementsMatch(t, want, loaded)

	// The same configuration with the rules where they are on this machine.
	var raw map[string]any
	require.NoError(t, yaml.Unmarshal([]byte(read(t, file)), &raw))
	raw["rule_files"] = abs
	b, err := yaml.Marshal(raw)
	require.NoError(t, err)
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "prometheus.yml"), b, 0o600))
	runPromtool(t, dir, "check", "config", "prometheus.yml")
}

// TestCompose_grafana_shows_the_dashboard_from_the_compose_prometheus
// follows the provisioning files through the mounts.
func TestCompose_grafana_shows_the_dashboard_from_the_compose_prometheus(t *testing.T) {
	svcs := composeServices(t)
	g, ok := svcs["grafana"]
	require.True(t, ok, "a grafana service")
	prom, _ := composePrometheus(t)
	prov := g.hostPath(t, "/etc/grafana/provisioning")
	require.Equal(t, filepath.Join("grafana", "provisioning"), prov)

	var sources []string
	yamlDocs(t, filepath.Join(prov, "datasources", "prometheus.yml"), func(doc *yaml.Node) {
		var f struct {
			Datasources []struct {
				Type      string `yaml:"type"`
				URL       string `yaml:"url"`
				IsDefault bool   `yaml:"isDefault"`
			} `yaml:"datasources"`
		}
		require.NoError(t, doc.Decode(&f))
		for _, ds := range f.Datasources {
			require.Equal(t, "prometheus", ds.Type)
			u, err := url.Parse(ds.URL)
			require.NoError(t, err)
			sources = append(sources, u.Host)
		}
	})
	listen := port(t, prom.flag("web.listen-address", ":9090"))
	require.Equal(t, []string{"prometheus:" + listen}, sources, "the data source is the compose Prometheus, on its port")
	require.Equal(t, listen, containerPort(prom.Ports[0]), "Prometheus publishes the port it listens on")

	var paths []string
	yamlDocs(t, filepath.Join(prov, "dashboards", "dispatchd.yml"), func(doc *yaml.Node) {
		var f struct {
			Providers []struct {
				Options struct {
					Path string `yaml:"path"`
				} `yaml:"options"`
			} `yaml:"providers"`
		}
		require.NoError(t, doc.Decode(&f))
		for _, p := range f.Providers {
			paths = append(paths, g.hostPath(t, p.Options.Path))
		}
	})
	require.Equal(t, []string{filepath.Dir(dashboardFile)}, paths, "the provider loads deployments/grafana/dashboards")
	home := ""
	for _, kv := range g.environment(t) {
		if v, ok := strings.CutPrefix(kv, "GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH="); ok {
			home = g.hostPath(t, v)
		}
	}
	require.Equal(t, filepath.Clean(dashboardFile), home, "the home dashboard is the tested one")
}

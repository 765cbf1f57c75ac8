package deployments_test

import (
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"dispatchd/app/kafkatest"
)

// promtool returns the path of Prometheus' promtool; kafkatest.Tool says
// when its absence skips and when it fails.
func promtool(t *testing.T) string {
	t.Helper()
	return kafkatest.Tool(t, "promtool", "Debian: apt-get install prometheus")
}

// runPromtool runs promtool with args in dir, requires it to succeed, and
// logs what it printed.
func runPromtool(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command(promtool(t), args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "promtool %s:\n%s", strings.Join(args, " "), out)
	t.Logf("promtool %s:\n%s", strings.Join(args, " "), out)
}

const rulesDir = "prometheus"

// rule is one alerting or recording rule.
type rule struct {
	Record      string            `yaml:"record"`
	Alert       string            `yaml:"alert"`
	Expr        string            `yaml:"expr"`
	For         string            `yaml:"for"`
	Labels      map[string]string `yaml:"labels"`
	Annotations map[string]string `yaml:"annotations"`
}

// ruleFiles returns the rule files of deployments/prometheus, by base name.
func ruleFiles(t *testing.T) map[string][]rule {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(rulesDir, "*.rules.yml"))
	require.NoError(t, err)
	require.NotEmpty(t, paths)
	out := map[string][]rule{}
	for _, p := range paths {
		var f struct {
			Groups []struct {
				Name  string `yaml:"name"`
				Rules []rule `yaml:"rules"`
			} `yaml:"groups"`
		}
		require.NoError(t, yaml.Unmarshal([]byte(read(t, p)), &f), p)
		for _, g := range f.Groups {
			out[filepath.Base(p)] = append(out[filepath.Base(p)], g.Rules...)
		}
	}
	return out
}

// ruleTest is the part of a promtool test file the coverage checks read.
type ruleTest struct {
	RuleFiles []string `yaml:"rule_files"`
	Tests     []struct {
		Name          string `yaml:"name"`
		AlertRuleTest []struct {
			Alertname string `yaml:"alertname"`
			ExpAlerts []any  `yaml:"exp_alerts"`
		} `yaml:"alert_rule_test"`
		PromQLExprTest []struct {
			Expr string `yaml:"expr"`
		} `yaml:"promql_expr_test"`
	} `yaml:"tests"`
}

// ruleTestFiles returns the promtool test files of deployments/prometheus.
func ruleTestFiles(t *testing.T) map[string]ruleTest {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(rulesDir, "*_test.yml"))
	require.NoError(t, err)
	require.NotEmpty(t, paths)
	out := map[string]ruleTest{}
	for _, p := range paths {
		var rt ruleTest
		require.NoError(t, yaml.Unmarshal([]byte(read(t, p)), &rt), p)
		out[filepath.Base(p)] = rt
	}
	return out
}

var (
	quoted  = regexp.MustCompile(`"(?:[^"\\]|\\.)*"`)
	nameTok = regexp.MustCompile(`[a-zA-Z_:][a-zA-Z0-9_:]*`)
)

// dispatchdNames returns the dispatchd metric and recorded series names a
// PromQL expression reads, label values left out.
func dispatchdNames(expr string) []string {
	var out []string
	for _, tok := range nameTok.FindAllString(quoted.ReplaceAllString(expr, `""`), -1) {
		if strings.Contains(tok, "dispatchd_") && !slices.Contains(out, tok) {
			out = append(out, tok)
		}
	}
	return out
}

package deployments_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

const composeFile = "compose/compose.yaml"

type composeService struct {
	Image string `yaml:"image"`
	Build *struct {
		Context    string `yaml:"context"`
		Dockerfile string `yaml:"dockerfile"`
	} `yaml:"build"`
	Command         []string  `yaml:"command"`
	Environment     yaml.Node `yaml:"environment"`
	Ports           []string  `yaml:"ports"`
	Volumes         []string  `yaml:"volumes"`
	StopSignal      string    `yaml:"stop_signal"`
	StopGracePeriod string    `yaml:"stop_grace_period"`
	Restart         string    `yaml:"restart"`
	Deploy          struct {
		Replicas int `yaml:"replicas"`
	} `yaml:"deploy"`
	DependsOn map[string]struct {
		Condition string `yaml:"condition"`
	} `yaml:"depends_on"`
}

// composeServices decodes compose.yaml's services.
func composeServices(t *testing.T) map[string]composeService {
	t.Helper()
	var out map[string]composeService
	yamlDocs(t, composeFile, func(doc *yaml.Node) {
		var f struct {
			Services map[string]composeService `yaml:"services"`
		}
		require.NoError(t, doc.Decode(&f))
		out = f.Services
	})
	require.NotEmpty(t, out)
	return out
}

// environment is the service's environment as NAME=value, from either the
// map or the list form.
func (s composeService) environment(t *testing.T) []string {
	t.Helper()
	var out []string
	switch s.Environment.Kind {
	case 0:
	case yaml.MappingNode:
		var m map[string]string
		require.NoError(t, s.Environment.Decode(&m))
		for k, v := range m {
			out = append(out, k+"="+v)
		}
	case yaml.SequenceNode:
		require.NoError(t, s.Environment.Decode(&out))
	default:
		t.Fatalf("environment: unexpected YAML kind %v", s.Environment.Kind)
	}
	return out
}

// runsDispatchd reports whether the service runs the image built from
// deployments/docker/Dockerfile.
func (s composeService) runsDispatchd() bool {
	if s.Build == nil {
		return false
	}
	return filepath.ToSlash(filepath.Clean(filepath.Join("compose", s.Build.Context, s.Build.Dockerfile))) ==
		"../deployments/docker/Dockerfile"
}

// containerPort is the container side of a compose port mapping.
func containerPort(mapping string) string {
	p := mapping[strings.LastIndex(mapping, ":")+1:]
	p, _, _ = strings.Cut(p, "/")
	return p
}

// hostPath is the file under deployments/ that service s's bind mounts put
// at inContainer.
func (s composeService) hostPath(t *testing.T, inContainer string) string {
	t.Helper()
	best, host := "", ""
	for _, v := range s.Volumes {
		src, dst, ok := strings.Cut(v, ":")
		require.True(t, ok, "volume %q: want src:dst", v)
		dst, _, _ = strings.Cut(dst, ":")
		if (inContainer == dst || strings.HasPrefix(inContainer, dst+"/")) && len(dst) > len(best) {
			best, host = dst, filepath.Join("compose", src, strings.TrimPrefix(inContainer, dst))
		}
	}
	require.NotEmpty(t, best, "nothing is mounted at %s", inContainer)
	return filepath.Clean(host)
}

// flag is the value of --name=value in s's command, or def.
func (s composeService) flag(name, def string) string {
	for _, a := range s.Command {
		if v, ok := strings.CutPrefix(a, "--"+name+"="); ok {
			return v
		}
	}
	return def
}

func TestCompose_topics_job_runs_once_before_the_daemon(t *testing.T) {
	svcs := composeServices(t)
	topics, ok := svcs["topics"]
	require.True(t, ok, "a topics service")
	require.True(t, topics.runsDispatchd(), "the topics job uses the dispatchd image")
	require.Equal(t, []string{"topics", "ensure"}, topics.Command)
	require.Equal(t, "no", topics.Restart)
	d := svcs["dispatchd"]
	require.True(t, d.runsDispatchd())
	require.Equal(t, "service_completed_successfully", d.DependsOn["topics"].Condition)
	require.Equal(t, 3, d.Deploy.Replicas)
}

func TestCompose_publishes_ports_on_loopback_only(t *testing.T) {
	for name, s := range composeServices(t) {
		for _, p := range s.Ports {
			require.True(t, strings.HasPrefix(p, "127.0.0.1:"), "%s publishes %q beyond 127.0.0.1", name, p)
		}
	}
}

// TestCompose_bind_mounts_are_read_only: the stack reads the repository's
// files and never writes them.
func TestCompose_bind_mounts_are_read_only(t *testing.T) {
	for name, s := range composeServices(t) {
		for _, v := range s.Volumes {
			require.True(t, strings.HasSuffix(v, ":ro"), "%s mounts %q writable", name, v)
		}
	}
}

// TestCompose_kafka_ui_is_kafbat: provectuslabs/kafka-ui is unmaintained;
// its successor reads the same variables.
func TestCompose_kafka_ui_is_kafbat(t *testing.T) {
	svcs := composeServices(t)
	ui := svcs["kafka-ui"]
	require.True(t, strings.HasPrefix(ui.Image, "kafbat/kafka-ui:v"), "image %q", ui.Image)
	var brokers string
	for _, kv := range svcs["dispatchd"].environment(t) {
		if v, ok := strings.CutPrefix(kv, "DISPATCHD_KAFKA_BROKERS="); ok {
			brokers = v
		}
	}
	require.Contains(t, ui.environment(t), "KAFKA_CLUSTERS_0_BOOTSTRAPSERVERS="+brokers)
}

package deployments_test

import (
	"path"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"dispatchd/config"
)

type secret struct {
	Metadata struct {
		Name string `yaml:"name"`
	} `yaml:"metadata"`
	StringData map[string]string `yaml:"stringData"`
	Data       map[string]string `yaml:"data"`
}

type networkPolicy struct {
	Spec struct {
		PodSelector struct {
			MatchLabels map[string]string `yaml:"matchLabels"`
		} `yaml:"podSelector"`
		PolicyTypes []string `yaml:"policyTypes"`
		Ingress     []struct {
			From  []yaml.Node `yaml:"from"`
			Ports []struct {
				Port     any    `yaml:"port"`
				Protocol string `yaml:"protocol"`
			} `yaml:"ports"`
		} `yaml:"ingress"`
	} `yaml:"spec"`
}

// TestKubernetes_secret_files_are_mounted: every *_FILE setting of the pod
// names a key of a Secret the manifests define, mounted read-only where the
// setting looks, readable by the pod's group and no one else.
func TestKubernetes_secret_files_are_mounted(t *testing.T) {
	var d deployment
	one(t, "Deployment", &d)
	var s secret
	one(t, "Secret", &s)
	c := dispatchdContainer(t, d)
	pod := d.Spec.Template.Spec
	files := 0
	for _, kv := range podEnviron(t, d) {
		name, file, _ := strings.Cut(kv, "=")
		if !strings.HasSuffix(name, "_FILE") || file == "" {
			continue
		}
		files++
		t.Run(name, func(t *testing.T) {
			var mount *volumeMount
			for i, m := range c.VolumeMounts {
				if path.Dir(file) == m.MountPath {
					mount = &c.VolumeMounts[i]
				}
			}
			require.NotNil(t, mount, "%s=%s is in no mounted directory", name, file)
			require.True(t, mount.ReadOnly)
			var vol *volume
			for i, v := range pod.Volumes {
				if v.Name == mount.Name {
					vol = &pod.Volumes[i]
				}
			}
			require.NotNil(t, vol)
			require.NotNil(t, vol.Secret, "%s is not a Secret volume", vol.Name)
			require.Equal(t, s.Metadata.Name, vol.Secret.SecretName)
			_, inString := s.StringData[path.Base(file)]
			_, inData := s.Data[path.Base(file)]
			require.True(t, inString || inData, "the Secret has no key %s", path.Base(file))
			require.NotNil(t, vol.Secret.DefaultMode)
			require.Equal(t, 0o440, *vol.Secret.DefaultMode, "owner and group may read, no one else")
			require.NotNil(t, pod.SecurityContext.FSGroup)
			require.Equal(t, *pod.SecurityContext.RunAsUser, *pod.SecurityContext.FSGroup,
				"the files' group is the one the container runs as")
		})
	}
	require.NotZero(t, files, "no *_FILE setting: the check would be vacuous")
}

// TestKubernetes_network_policy_admits_only_selected_peers: the policy
// isolates the Deployment's pods for ingress, every rule names its peers
// (none admits all), and its ports are the pod's, the Service's among them.
func TestKubernetes_network_policy_admits_only_selected_peers(t *testing.T) {
	var d deployment
	one(t, "Deployment", &d)
	c := dispatchdContainer(t, d)
	var np networkPolicy
	one(t, "NetworkPolicy", &np)
	var svc service
	one(t, "Service", &svc)

	for k, v := range np.Spec.PodSelector.MatchLabels {
		require.Equal(t, v, d.Spec.Template.Metadata.Labels[k], "podSelector %s", k)
	}
	require.NotEmpty(t, np.Spec.PodSelector.MatchLabels, "an empty podSelector would select every pod of the namespace")
	require.Contains(t, np.Spec.PolicyTypes, "Ingress")
	require.NotEmpty(t, np.Spec.Ingress)
	admitted := map[string]bool{}
	for i, rule := range np.Spec.Ingress {
		require.NotEmpty(t, rule.From, "ingress rule %d admits every peer", i)
		for _, peer := range rule.From {
			require.NotZero(t, len(peer.Content), "ingress rule %d has an empty peer, which admits all", i)
		}
		require.NotEmpty(t, rule.Ports, "ingress rule %d admits every port", i)
		for _, p := range rule.Ports {
			admitted[resolvePort(t, c, p.Port)] = true
		}
	}
	require.True(t, admitted[resolvePort(t, c, svc.Spec.Ports[0].TargetPort)], "the Service's port is admitted for producers")
	require.True(t, admitted[resolvePort(t, c, "admin")], "Prometheus can scrape /metrics")
}

// TestSendEndpoint_is_set_explicitly: every deployment of the daemon says
// whether POST /v1/messages is on, and where it is on beyond one host
// (Kubernetes) a token is required. Compose publishes on 127.0.0.1 only.
func TestSendEndpoint_is_set_explicitly(t *testing.T) {
	for _, tg := range targets(t) {
		// The image is what the others build on; the topics jobs do not serve.
		if tg.name == "docker_image" || strings.Contains(tg.name, "topics") {
			continue
		}
		t.Run(tg.name, func(t *testing.T) {
			set := false
			for _, kv := range tg.environ {
				set = set || strings.HasPrefix(kv, "DISPATCHD_HTTP_SEND_ENABLED=")
			}
			require.True(t, set, "DISPATCHD_HTTP_SEND_ENABLED is left to the default")
			cfg, err := config.Load("", tg.environ, nil)
			require.NoError(t, err)
			if tg.name == "kubernetes" {
				require.True(t, cfg.HTTP.Send.Enabled)
				require.NotEmpty(t, cfg.HTTP.Send.TokenFile, "any pod that passes the NetworkPolicy could send")
				require.NotEmpty(t, cfg.HTTP.AdminAddr, "probes and metrics stay off the Service's port")
			}
		})
	}
}

// TestEnvFile_is_installed_0600: dispatchd.env may hold a SASL password, so
// every instruction that installs it makes it readable by root alone.
func TestEnvFile_is_installed_0600(t *testing.T) {
	install := regexp.MustCompile(`install\b[^\n]*dispatchd\.env`)
	seen := 0
	for _, f := range []string{"systemd/dispatchd.service", "systemd/dispatchd@.service", "systemd/dispatchd.env", "README.md"} {
		for _, line := range install.FindAllString(read(t, f), -1) {
			seen++
			require.Contains(t, line, "-m 0600", "%s: %q", f, line)
		}
	}
	require.NotZero(t, seen, "no install instruction found: the check would be vacuous")
}

package deployments_test

import (
	"testing"

	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// object is the head of a Kubernetes object; Node keeps the whole document.
type object struct {
	APIVersion string `yaml:"apiVersion"`
	Kind       string `yaml:"kind"`
	Metadata   struct {
		Name string `yaml:"name"`
	} `yaml:"metadata"`
	Node *yaml.Node `yaml:"-"`
}

// objects decodes every document of every YAML file under kubernetes/.
func objects(t *testing.T) []object {
	t.Helper()
	var out []object
	for _, f := range yamlFiles(t, "kubernetes") {
		yamlDocs(t, f, func(doc *yaml.Node) {
			var o object
			require.NoError(t, doc.Decode(&o), f)
			require.NotEmpty(t, o.Kind, "%s: a document without kind", f)
			o.Node = doc
			out = append(out, o)
		})
	}
	return out
}

// one decodes the only object of kind into out.
func one(t *testing.T, kind string, out any) {
	t.Helper()
	var found []object
	for _, o := range objects(t) {
		if o.Kind == kind {
			found = append(found, o)
		}
	}
	require.Len(t, found, 1, "want exactly one %s", kind)
	require.NoError(t, found[0].Node.Decode(out))
}

type probe struct {
	HTTPGet *struct {
		Path string `yaml:"path"`
		Port any    `yaml:"port"`
	} `yaml:"httpGet"`
}

type envVar struct {
	Name      string     `yaml:"name"`
	Value     string     `yaml:"value"`
	ValueFrom *yaml.Node `yaml:"valueFrom"`
}

type securityContext struct {
	RunAsNonRoot             *bool `yaml:"runAsNonRoot"`
	RunAsUser                *int  `yaml:"runAsUser"`
	FSGroup                  *int  `yaml:"fsGroup"`
	ReadOnlyRootFilesystem   *bool `yaml:"readOnlyRootFilesystem"`
	AllowPrivilegeEscalation *bool `yaml:"allowPrivilegeEscalation"`
	Capabilities             struct {
		Drop []string `yaml:"drop"`
	} `yaml:"capabilities"`
	SeccompProfile struct {
		Type string `yaml:"type"`
	} `yaml:"seccompProfile"`
}

type volumeMount struct {
	Name      string `yaml:"name"`
	MountPath string `yaml:"mountPath"`
	ReadOnly  bool   `yaml:"readOnly"`
}

type volume struct {
	Name   string `yaml:"name"`
	Secret *struct {
		SecretName  string `yaml:"secretName"`
		DefaultMode *int   `yaml:"defaultMode"`
	} `yaml:"secret"`
}

type container struct {
	Name  string   `yaml:"name"`
	Image string   `yaml:"image"`
	Args  []string `yaml:"args"`
	Ports []struct {
		Name          string `yaml:"name"`
		ContainerPort int    `yaml:"containerPort"`
	} `yaml:"ports"`
	EnvFrom []struct {
		ConfigMapRef *struct {
			Name string `yaml:"name"`
		} `yaml:"configMapRef"`
	} `yaml:"envFrom"`
	Env             []envVar        `yaml:"env"`
	VolumeMounts    []volumeMount   `yaml:"volumeMounts"`
	StartupProbe    *probe          `yaml:"startupProbe"`
	LivenessProbe   *probe          `yaml:"livenessProbe"`
	ReadinessProbe  *probe          `yaml:"readinessProbe"`
	SecurityContext securityContext `yaml:"securityContext"`
	Resources       struct {
		Requests map[string]string `yaml:"requests"`
		Limits   map[string]string `yaml:"limits"`
	} `yaml:"resources"`
}

type deployment struct {
	Metadata struct {
		Name string `yaml:"name"`
	} `yaml:"metadata"`
	Spec struct {
		Replicas int `yaml:"replicas"`
		Selector struct {
			MatchLabels map[string]string `yaml:"matchLabels"`
		} `yaml:"selector"`
		Template struct {
			Metadata struct {
				Labels      map[string]string `yaml:"labels"`
				Annotations map[string]string `yaml:"annotations"`
			} `yaml:"metadata"`
			Spec struct {
				TerminationGracePeriodSeconds *int64          `yaml:"terminationGracePeriodSeconds"`
				SecurityContext               securityContext `yaml:"securityContext"`
				Volumes                       []volume        `yaml:"volumes"`
				Containers                    []container     `yaml:"containers"`
			} `yaml:"spec"`
		} `yaml:"template"`
	} `yaml:"spec"`
}

// dispatchdContainer is the Deployment's only container.
func dispatchdContainer(t *testing.T, d deployment) container {
	t.Helper()
	require.Len(t, d.Spec.Template.Spec.Containers, 1)
	return d.Spec.Template.Spec.Containers[0]
}

type configMap struct {
	Metadata struct {
		Name string `yaml:"name"`
	} `yaml:"metadata"`
	Data map[string]string `yaml:"data"`
}

type service struct {
	Spec struct {
		Selector map[string]string `yaml:"selector"`
		Ports    []struct {
			Port       int `yaml:"port"`
			TargetPort any `yaml:"targetPort"`
		} `yaml:"ports"`
	} `yaml:"spec"`
}

type pdb struct {
	Spec struct {
		MaxUnavailable any `yaml:"maxUnavailable"`
		Selector       struct {
			MatchLabels map[string]string `yaml:"matchLabels"`
		} `yaml:"selector"`
	} `yaml:"spec"`
}

type scaledObject struct {
	Spec struct {
		ScaleTargetRef struct {
			Name string `yaml:"name"`
		} `yaml:"scaleTargetRef"`
		MinReplicaCount *int `yaml:"minReplicaCount"`
		MaxReplicaCount *int `yaml:"maxReplicaCount"`
		Triggers        []struct {
			Type     string            `yaml:"type"`
			Metadata map[string]string `yaml:"metadata"`
		} `yaml:"triggers"`
	} `yaml:"spec"`
}

// podEnviron is the DISPATCHD_* environment a pod of d sees: the image's ENV,
// then the ConfigMaps it names, then its env entries (a valueFrom becomes
// the stand-in a pod would get, e.g. its name).
func podEnviron(t *testing.T, d deployment) []string {
	t.Helper()
	var cm configMap
	one(t, "ConfigMap", &cm)
	env := imageEnviron(t)
	c := dispatchdContainer(t, d)
	for _, from := range c.EnvFrom {
		require.NotNil(t, from.ConfigMapRef, "only configMapRef envFrom is understood here")
		require.Equal(t, cm.Metadata.Name, from.ConfigMapRef.Name)
		for k, v := range cm.Data {
			env = append(env, k+"="+v)
		}
	}
	for _, e := range c.Env {
		v := e.Value
		if e.ValueFrom != nil {
			v = "dispatchd-5d8f7c9b4-x2x7q"
		}
		env = append(env, e.Name+"="+v)
	}
	return env
}

func TestTopicsJob_runs_the_daemons_image(t *testing.T) {
	var d, job deployment
	one(t, "Deployment", &d)
	one(t, "Job", &job)
	c, j := dispatchdContainer(t, d), dispatchdContainer(t, job)
	require.Equal(t, c.Image, j.Image)
	require.Equal(t, []string{"topics", "ensure"}, j.Args)
	require.Equal(t, c.EnvFrom, j.EnvFrom, "the same ConfigMap, so the same topics and partitions")
}

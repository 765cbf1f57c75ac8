package deployments_test

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// nonrootUID is distroless's nonroot user; Kubernetes' runAsNonRoot can
// only check a numeric id.
const nonrootUID = 65532

func TestDockerfile_final_stage(t *testing.T) {
	stage := finalStage(t, "docker/Dockerfile")
	cases := []struct {
		name, cmd string
		want      []string
	}{
		{"distroless_base", "FROM", []string{"gcr.io/distroless/static-debian12:nonroot"}},
		{"nonroot_user", "USER", []string{"nonroot:nonroot"}},
		{"stop_signal", "STOPSIGNAL", []string{"SIGTERM"}},
		{"entrypoint", "ENTRYPOINT", []string{`["/dispatchd"]`}},
		{"runs_the_daemon", "CMD", []string{`["run"]`}},
		{"no_healthcheck_without_a_shell", "HEALTHCHECK", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, all(stage, tc.cmd))
		})
	}
}

func TestDockerfile_builds_a_static_binary_of_cmd_dispatchd(t *testing.T) {
	text := read(t, "docker/Dockerfile")
	require.Contains(t, text, "FROM --platform=$BUILDPLATFORM golang:1.26 AS build")
	require.Contains(t, text, "CGO_ENABLED=0")
	require.Contains(t, text, "-o /out/dispatchd ./cmd/dispatchd")
	require.Contains(t, text, "COPY --from=build /out/dispatchd /dispatchd")
	_, err := os.Stat("../cmd/dispatchd/main.go")
	require.NoError(t, err, "the build context is the repository root")
}

func TestKubernetes_security_context(t *testing.T) {
	var d deployment
	one(t, "Deployment", &d)
	pod := d.Spec.Template.Spec.SecurityContext
	c := dispatchdContainer(t, d)
	sc := c.SecurityContext
	yes := func(b *bool) bool { return b != nil && *b }
	no := func(b *bool) bool { return b != nil && !*b }
	uid := func(u *int) int {
		if u == nil {
			return -1
		}
		return *u
	}
	cases := []struct {
		name string
		ok   bool
	}{
		{"pod_run_as_non_root", yes(pod.RunAsNonRoot)},
		{"pod_run_as_nonroot_uid", uid(pod.RunAsUser) == nonrootUID},
		{"pod_seccomp_runtime_default", pod.SeccompProfile.Type == "RuntimeDefault"},
		{"container_run_as_non_root", yes(sc.RunAsNonRoot)},
		{"container_run_as_nonroot_uid", uid(sc.RunAsUser) == nonrootUID},
		{"read_only_root_filesystem", yes(sc.ReadOnlyRootFilesystem)},
		{"no_privilege_escalation", no(sc.AllowPrivilegeEscalation)},
		{"drops_all_capabilities", strings.Join(sc.Capabilities.Drop, ",") == "ALL"},
		{"container_seccomp_runtime_default", sc.SeccompProfile.Type == "RuntimeDefault"},
		{"runs_the_daemon", strings.Join(c.Args, " ") == "run"},
		{"memory_limit", c.Resources.Limits["memory"] != ""},
		{"requests", c.Resources.Requests["cpu"] != "" && c.Resources.Requests["memory"] != ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			require.True(t, tc.ok)
		})
	}
}

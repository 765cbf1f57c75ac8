package httpapi_test

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"dispatchd/app/httpapi"
	"dispatchd/app/kafka"
	"dispatchd/app/router"
)

func TestHealthz(t *testing.T) {
	rec := do(t, routes(readiness{}, &recordingSender{}), http.MethodGet, "/healthz", "")
	require.Equal(t, http.StatusOK, rec.Code)
	require.JSONEq(t, `{"status":"ok"}`, rec.Body.String())
}

func TestReadyz(t *testing.T) {
	stopping := kafka.NewGroupState()
	stopping.SetStopping()
	tests := []struct {
		name     string
		ready    httpapi.Readiness
		wantCode int
		wantBody string
	}{
		{name: "not_joined", ready: readiness{}, wantCode: http.StatusServiceUnavailable,
			wantBody: `{"ready":false,"joined":false,"stopping":false}`},
		{name: "joined", ready: readiness{joined: true}, wantCode: http.StatusOK,
			wantBody: `{"ready":true,"joined":true,"stopping":false}`},
		{name: "joined_and_stopping", ready: readiness{joined: true, stopping: true}, wantCode: http.StatusServiceUnavailable,
			wantBody: `{"ready":false,"joined":true,"stopping":true}`},
		{name: "new_group_state", ready: kafka.NewGroupState(), wantCode: http.StatusServiceUnavailable,
			wantBody: `{"ready":false,"joined":false,"stopping":false}`},
		{name: "group_state_stopping", ready: stopping, wantCode: http.StatusServiceUnavailable,
			wantBody: `{"ready":false,"joined":false,"stopping":true}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := do(t, routes(tt.ready, &recordingSender{}), http.MethodGet, "/readyz", "")
			require.Equal(t, tt.wantCode, rec.Code)
			require.JSONEq(t, tt.wantBody, rec.Body.String())
		})
	}
}

func TestMetrics_endpoint(t *testing.T) {
	rec := do(t, routes(readiness{}, &recordingSender{}), http.MethodGet, "/metrics", "")
	require.Equal(t, http.StatusOK, rec.Code)
	require.Contains(t, rec.Body.String(), `dispatchd_build_info{commit="x",version="test"} 1`)
}

func TestRoutes_methods_and_paths(t *testing.T) {
	tests := []struct {
		name     string
		method   string
		path     string
		wantCode int
	}{
		{name: "get_messages", method: http.MethodGet, path: "/v1/messages", wantCode: http.StatusMethodNotAllowed},
		{name: "put_messages", method: http.MethodPut, path: "/v1/messages", wantCode: http.StatusMethodNotAllowed},
		{name: "post_healthz", method: http.MethodPost, path: "/healthz", wantCode: http.StatusMethodNotAllowed},
		{name: "head_healthz", method: http.MethodHead, path: "/healthz", wantCode: http.StatusOK},
		{name: "unknown_path", method: http.MethodGet, path: "/nope", wantCode: http.StatusNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sender := &recordingSender{}
			rec := do(t, routes(readiness{joined: true}, sender), tt.method, tt.path, "")
			require.Equal(t, tt.wantCode, rec.Code)
			calls, _ := sender.sent()
			require.Zero(t, calls)
		})
	}
}

// TestReadyz_body guards the field names operators' probes and dashboards read.
func TestReadyz_body(t *testing.T) {
	rec := do(t, routes(readiness{joined: true}, &recordingSender{}), http.MethodGet, "/readyz", "")
	var body map[string]bool
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &body))
	require.Equal(t, map[string]bool{"ready": true, "joined": true, "stopping": false}, body)
}

func TestHealthz_fails_only_while_a_partition_with_lag_makes_no_progress(t *testing.T) {
	now := time.Unix(1_000_000, 0)
	p := kafka.NewProgress(10 * time.Second)
	p.SetClock(func() time.Time { return now })
	h := routesWithHealth(readiness{joined: true}, progressOnly{p, nil}, &recordingSender{})
	code := func() int { return do(t, h, http.MethodGet, "/healthz", "").Code }

	p.ClaimStarted("in", 0)
	p.ClaimStarted("in", 1)
	p.Consumed("in", 0, 5, 10) // partition 0 is 5 behind; partition 1 is idle
	now = now.Add(9 * time.Second)
	require.Equal(t, http.StatusOK, code(), "within the stall timeout")

	now = now.Add(2 * time.Second)
	require.Equal(t, http.StatusServiceUnavailable, code(), "lag and no progress for 11s")
	require.Contains(t, do(t, h, http.MethodGet, "/healthz", "").Body.String(), `"in/0"`)
	require.NotContains(t, do(t, h, http.MethodGet, "/healthz", "").Body.String(), `"in/1"`, "an idle partition is not stalled")

	p.Marked("in", 0, 5)
	require.Equal(t, http.StatusOK, code(), "progress clears it")

	now = now.Add(time.Hour)
	p.Consumed("in", 0, 9, 10)
	p.Marked("in", 0, 9)
	now = now.Add(time.Hour)
	require.Equal(t, http.StatusOK, code(), "caught up and idle for an hour is healthy")

	p.ClaimEnded("in", 0)
	p.ClaimStarted("in", 0)
	p.Consumed("in", 0, 10, 20)
	now = now.Add(11 * time.Second)
	require.Equal(t, http.StatusServiceUnavailable, code(), "a re-assigned partition is judged from its assignment")
}

func TestHealthz_names_paused_partitions_without_failing(t *testing.T) {
	paused := []router.Pause{{Partition: "in/2", Offset: 7, Reason: router.ReasonResultsUnwritable, Attempts: 3}}
	h := routesWithHealth(readiness{joined: true}, progressOnly{kafka.NewProgress(time.Minute), paused}, &recordingSender{})
	rec := do(t, h, http.MethodGet, "/healthz", "")
	require.Equal(t, http.StatusOK, rec.Code, "a restart would not cure what a paused partition waits on")
	var body struct {
		Status string         `json:"status"`
		Paused []router.Pause `json:"paused"`
	}
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &body))
	require.Equal(t, "paused", body.Status)
	require.Equal(t, "in/2", body.Paused[0].Partition)
	require.Equal(t, router.ReasonResultsUnwritable, body.Paused[0].Reason)
}

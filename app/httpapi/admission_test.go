package httpapi_test

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"dispatchd/app/httpapi"
	"dispatchd/config"
	"dispatchd/messages"
)

const token = "s3cret-token-0123456789abcdef"

// tokenFile writes content to a file in a fresh directory and returns its path.
func tokenFile(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "send-token")
	require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
	return path
}

// post is a POST /v1/messages of one valid message with the headers given.
func post(headers map[string]string) *http.Request {
	req := httptest.NewRequest(http.MethodPost, "/v1/messages",
		strings.NewReader(sendBody("o-1", messages.TypeOrderCancelled, `{"order_id":"o-1"}`)))
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	return req
}

func TestSend_with_a_token_file_requires_the_bearer_token(t *testing.T) {
	path := tokenFile(t, "\n  "+token+"\n") // surrounding whitespace is not part of it
	const json = "application/json"
	tests := []struct {
		name          string
		headers       map[string]string
		wantCode      int
		wantChallenge string
	}{
		{name: "no_authorization", headers: map[string]string{"Content-Type": json},
			wantCode: http.StatusUnauthorized, wantChallenge: `Bearer realm="dispatchd"`},
		{name: "wrong_token", headers: map[string]string{"Content-Type": json, "Authorization": "Bearer " + token + "x"},
			wantCode: http.StatusUnauthorized, wantChallenge: `Bearer realm="dispatchd", error="invalid_token"`},
		{name: "prefix_of_the_token", headers: map[string]string{"Content-Type": json, "Authorization": "Bearer " + token[:10]},
			wantCode: http.StatusUnauthorized, wantChallenge: `Bearer realm="dispatchd", error="invalid_token"`},
		{name: "basic_scheme", headers: map[string]string{"Content-Type": json, "Authorization": "Basic " + token},
			wantCode: http.StatusUnauthorized, wantChallenge: `Bearer realm="dispatchd"`},
		{name: "scheme_without_token", headers: map[string]string{"Content-Type": json, "Authorization": "Bearer "},
			wantCode: http.StatusUnauthorized, wantChallenge: `Bearer realm="dispatchd"`},
		{name: "bare_token", headers: map[string]string{"Content-Type": json, "Authorization": token},
			wantCode: http.StatusUnauthorized, wantChallenge: `Bearer realm="dispatchd"`},
		{name: "wrong_token_and_wrong_type_is_401_first", headers: map[string]string{"Content-Type": "text/plain", "Authorization": "Bearer nope"},
			wantCode: http.StatusUnauthorized, wantChallenge: `Bearer realm="dispatchd", error="invalid_token"`},
		{name: "right_token", headers: map[string]string{"Content-Type": json, "Authorization": "Bearer " + token},
			wantCode: http.StatusAccepted},
		{name: "scheme_is_case_insensitive", headers: map[string]string{"Content-Type": json, "Authorization": "bearer " + token},
			wantCode: http.StatusAccepted},
		{name: "right_token_wrong_type", headers: map[string]string{"Content-Type": "text/plain", "Authorization": "Bearer " + token},
			wantCode: http.StatusUnsupportedMediaType},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sender := &recordingSender{}
			h := withSend(t, sender, func(c *config.Config) { c.HTTP.Send.TokenFile = path })
			rec := serve(h, post(tt.headers))

			require.Equal(t, tt.wantCode, rec.Code, rec.Body.String())
			require.Equal(t, tt.wantChallenge, rec.Header().Get("WWW-Authenticate"))
			require.NotContains(t, rec.Body.String(), token[:10], "the token is never echoed")
			calls, _ := sender.sent()
			require.Equal(t, tt.wantCode == http.StatusAccepted, calls == 1, "only an authenticated, well-typed send reaches Kafka")
		})
	}
}

func TestSend_requires_a_JSON_content_type(t *testing.T) {
	tests := []struct {
		contentType string
		wantCode    int
	}{
		{"application/json", http.StatusAccepted},
		{"application/json; charset=utf-8", http.StatusAccepted},
		{"Application/JSON; charset=UTF-8", http.StatusAccepted},
		{"", http.StatusUnsupportedMediaType},
		{"text/plain", http.StatusUnsupportedMediaType},
		{"text/plain; charset=utf-8", http.StatusUnsupportedMediaType},
		{"application/x-www-form-urlencoded", http.StatusUnsupportedMediaType},
		{"multipart/form-data; boundary=x", http.StatusUnsupportedMediaType},
		{"application/json; charset=iso-8859-1", http.StatusUnsupportedMediaType},
		{"application/jsonx", http.StatusUnsupportedMediaType},
		{"application/json;;", http.StatusUnsupportedMediaType},
	}
	for _, tt := range tests {
		t.Run(strings.NewReplacer("/", "_", " ", "", ";", "_", "=", "_").Replace(tt.contentType+"_"), func(t *testing.T) {
			sender := &recordingSender{}
			rec := serve(routes(readiness{joined: true}, sender), post(map[string]string{"Content-Type": tt.contentType}))
			require.Equal(t, tt.wantCode, rec.Code, rec.Body.String())
			calls, _ := sender.sent()
			if tt.wantCode != http.StatusAccepted {
				require.Zero(t, calls)
				require.Equal(t, "application/json", rec.Header().Get("Accept-Post"))
				require.Contains(t, rec.Body.String(), "Content-Type must be application/json")
			}
		})
	}
}

func TestSend_disabled_answers_404_and_leaves_the_probes_alone(t *testing.T) {
	sender := &recordingSender{}
	h, admin := listeners(t, config.Default(), sender)
	require.Nil(t, admin)

	rec := do(t, h, http.MethodPost, "/v1/messages", batch(1))
	require.Equal(t, http.StatusNotFound, rec.Code)
	require.JSONEq(t, `{"error":"POST /v1/messages is off: http.send.enabled is false"}`, rec.Body.String())
	calls, _ := sender.sent()
	require.Zero(t, calls)
	require.Equal(t, http.StatusOK, do(t, h, http.MethodGet, "/healthz", "").Code)
}

func TestReadToken(t *testing.T) {
	tests := []struct {
		name    string
		content string
		want    string
		wantErr string
	}{
		{name: "trimmed", content: "  " + token + "\r\n", want: token},
		{name: "empty", content: "", wantErr: "is empty"},
		{name: "whitespace_only", content: " \n\t\n", wantErr: "is empty"},
		{name: "too_short", content: "hunter2\n", wantErr: "holds 7 characters, want at least 16"},
		{name: "too_long", content: strings.Repeat("a", 4097), wantErr: "holds more than 4096 characters"},
		{name: "far_too_long", content: strings.Repeat("a", 1<<20), wantErr: "holds more than 4096 characters"},
		{name: "inner_space", content: "0123456789 abcdef", wantErr: "holds a space"},
		{name: "two_lines", content: token + "\n" + token, wantErr: "holds a space, a control"},
		{name: "non_ascii", content: "0123456789abcdéf", wantErr: "non-ASCII"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := tokenFile(t, tt.content)
			got, err := httpapi.ReadToken(path)
			if tt.wantErr == "" {
				require.NoError(t, err)
				require.Equal(t, tt.want, got)
				return
			}
			require.ErrorContains(t, err, "http.send.token_file "+path)
			require.ErrorContains(t, err, tt.wantErr)
			if strings.TrimSpace(tt.content) != "" {
				require.NotContains(t, err.Error(), strings.TrimSpace(tt.content)[:7], "the content is never in the error")
			}
		})
	}
}

func TestRoutes_fail_on_an_unreadable_token_file(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "absent")
	cfg := sendOn()
	cfg.HTTP.Send.TokenFile = missing
	_, _, err := httpapi.Routes(cfg, endpoints(readiness{}, progressOnly{}, &recordingSender{}))
	require.ErrorContains(t, err, "http.send.token_file: open "+missing)
	require.ErrorIs(t, err, os.ErrNotExist)

	cfg.HTTP.Send.Enabled = false
	_, _, err = httpapi.Routes(cfg, endpoints(readiness{}, progressOnly{}, &recordingSender{}))
	require.NoError(t, err, "a disabled endpoint reads no token")
}

func TestUnguarded_warns_of_a_tokenless_endpoint_beyond_loopback(t *testing.T) {
	tests := []struct {
		name    string
		addr    string
		enabled bool
		token   string
		want    bool
	}{
		{name: "all_interfaces", addr: "0.0.0.0:8080", enabled: true, want: true},
		{name: "empty_host", addr: ":8080", enabled: true, want: true},
		{name: "a_hostname", addr: "dispatchd.internal:8080", enabled: true, want: true},
		{name: "ipv4_loopback", addr: "127.0.0.1:8080", enabled: true},
		{name: "ipv6_loopback", addr: "[::1]:8080", enabled: true},
		{name: "localhost", addr: "localhost:8080", enabled: true},
		{name: "with_a_token", addr: "0.0.0.0:8080", enabled: true, token: "/run/secrets/token"},
		{name: "disabled", addr: "0.0.0.0:8080"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := config.Default().HTTP
			h.Addr, h.Send.Enabled, h.Send.TokenFile = tt.addr, tt.enabled, tt.token
			require.Equal(t, tt.want, httpapi.Unguarded(h))
		})
	}
}

package security_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"dispatchd/app/kafka/security"
	"dispatchd/config"
)

// tokenEndpoint is an OAuth token endpoint that grants the client-credentials
// grant to client "dispatchd" with secret "s3cret", each token valid for
// expiresIn seconds, and counts the tokens it grants.
func tokenEndpoint(t *testing.T, expiresIn int) (*httptest.Server, *atomic.Int32) {
	var granted atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		require.NoError(t, r.ParseForm())
		id, secret, ok := r.BasicAuth()
		if !ok {
			id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
		}
		w.Header().Set("Content-Type", "application/json")
		if r.PostForm.Get("grant_type") != "client_credentials" || id != "dispatchd" || secret != "s3cret" {
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"error":"invalid_client","error_description":"bad client credentials"}`)
			return
		}
		n := granted.Add(1)
		fmt.Fprintf(w, `{"access_token":"token-%d-%s","token_type":"Bearer","expires_in":%d}`, n, r.PostForm.Get("scope"), expiresIn)
	}))
	t.Cleanup(srv.Close)
	return srv, &granted
}

func TestTokenProvider_reuses_a_token_until_it_expires(t *testing.T) {
	tests := []struct {
		name       string
		expiresIn  int
		wantTokens []string
		wantGrants int32
	}{
		{name: "valid_for_an_hour_is_fetched_once", expiresIn: 3600, wantTokens: []string{"token-1-kafka", "token-1-kafka", "token-1-kafka"}, wantGrants: 1},
		// oauth2 renews a token 10s before it expires, so a 1s token is stale at once.
		{name: "about_to_expire_is_fetched_again", expiresIn: 1, wantTokens: []string{"token-1-kafka", "token-2-kafka", "token-3-kafka"}, wantGrants: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, granted := tokenEndpoint(t, tt.expiresIn)
			p := security.NewTokenProvider(config.OAuth{TokenURL: srv.URL, ClientID: "dispatchd", Scopes: []string{"kafka"}}, "s3cret")
			var got []string
			for range tt.wantTokens {
				tok, err := p.Token()
				require.NoError(t, err)
				got = append(got, tok.Token)
			}
			require.Equal(t, tt.wantTokens, got)
			require.Equal(t, tt.wantGrants, granted.Load(), "requests to the token endpoint")
		})
	}
}

func TestTokenProvider_refused_credentials_are_a_rejection_in_one_line(t *testing.T) {
	srv, _ := tokenEndpoint(t, 3600)
	p := security.NewTokenProvider(config.OAuth{TokenURL: srv.URL, ClientID: "dispatchd"}, "wrong")
	_, err := p.Token()
	var te *security.TokenError
	require.ErrorAs(t, err, &te)
	require.True(t, te.Rejected())
	require.Equal(t, fmt.Sprintf("oauth token endpoint %s refused: 401 invalid_client bad client credentials", srv.URL), err.Error())
	require.NotContains(t, err.Error(), "wrong")
}

func TestTokenProvider_unreachable_endpoint_is_not_a_rejection(t *testing.T) {
	srv, _ := tokenEndpoint(t, 3600)
	srv.Close()
	_, err := security.NewTokenProvider(config.OAuth{TokenURL: srv.URL, ClientID: "dispatchd"}, "s3cret").Token()
	var te *security.TokenError
	require.ErrorAs(t, err, &te)
	require.False(t, te.Rejected())
	require.Contains(t, err.Error(), srv.URL)
}

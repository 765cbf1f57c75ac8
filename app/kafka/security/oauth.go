package security

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/IBM/sarama"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"dispatchd/config"
)

// tokenTimeout bounds one request to the token endpoint, so a hung identity
// provider fails a connection attempt instead of hanging it.
const tokenTimeout = 10 * time.Second

// TokenProvider is sarama's AccessTokenProvider for OAUTHBEARER: it gets
// tokens with the OAuth 2.0 client-credentials grant and reuses each until
// shortly before it expires, so brokers' connections share one token.
type TokenProvider struct {
	url string
	src oauth2.TokenSource
}

// NewTokenProvider returns a provider for o with the given client secret.
func NewTokenProvider(o config.OAuth, secret string) *TokenProvider {
	cc := &clientcredentials.Config{ClientID: o.ClientID, ClientSecret: secret, TokenURL: o.TokenURL, Scopes: o.Scopes}
	ctx := context.WithValue(context.Background(), oauth2.HTTPClient, &http.Client{Timeout: tokenTimeout})
	// TokenSource caches the token and refreshes it once it is about to expire.
	return &TokenProvider{url: o.TokenURL, src: cc.TokenSource(ctx)}
}

// Token returns a valid access token, fetching a new one when needed.
func (p *TokenProvider) Token() (*sarama.AccessToken, error) {
	t, err := p.src.Token()
	if err != nil {
		return nil, newTokenError(p.url, err)
	}
	return &sarama.AccessToken{Token: t.AccessToken}, nil
}

// TokenError is a failure to get an OAUTHBEARER token.
type TokenError struct {
	// URL is the token endpoint.
	URL string
	// Status is the endpoint's HTTP status, 0 when it did not answer.
	Status int
	// Err is the cause.
	Err error
}

func newTokenError(url string, err error) *TokenError {
	te := &TokenError{URL: url, Err: err}
	var re *oauth2.RetrieveError
	if errors.As(err, &re) && re.Response != nil {
		te.Status = re.Response.StatusCode
	}
	return te
}

// Error is one line: oauth2's own message carries the response body on a
// line of its own.
func (e *TokenError) Error() string {
	var re *oauth2.RetrieveError
	switch {
	case errors.As(e.Err, &re) && re.ErrorCode != "":
		return fmt.Sprintf("oauth token endpoint %s refused: %d %s %s", e.URL, e.Status, re.ErrorCode, re.ErrorDescription)
	case e.Status != 0:
		return fmt.Sprintf("oauth token endpoint %s refused: %s", e.URL, http.StatusText(e.Status))
	}
	return fmt.Sprintf("oauth token endpoint %s: %v", e.URL, e.Err)
}

// Unwrap lets errors.Is and errors.As see the cause.
func (e *TokenError) Unwrap() error { return e.Err }

// Rejected reports whether the endpoint answered and refused the client
// (4xx): asking again with the same credentials cannot help.
func (e *TokenError) Rejected() bool { return e.Status >= 400 && e.Status < 500 }

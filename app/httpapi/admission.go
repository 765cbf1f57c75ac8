package httpapi

import (
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"strings"
)

// Bounds on a token, in bytes: long enough not to be guessed, short enough
// for one header.
const (
	minToken = 16
	maxToken = 4096
)

// ReadToken reads the bearer token from path, the file http.send.token_file
// names: its content with surrounding whitespace trimmed. Its errors name
// the setting and the file, never the content.
func ReadToken(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("http.send.token_file: %w", err)
	}
	defer f.Close()
	// A little more than the longest token plus whitespace tells a file
	// that is too long from one that fits, without reading all of it.
	b, err := io.ReadAll(io.LimitReader(f, 2*maxToken))
	if err != nil {
		return "", fmt.Errorf("http.send.token_file: read %s: %w", path, err)
	}
	token := strings.TrimSpace(string(b))
	switch {
	case token == "":
		return "", fmt.Errorf("http.send.token_file %s is empty", path)
	case len(token) < minToken:
		return "", fmt.Errorf("http.send.token_file %s holds %d characters, want at least %d (e.g. openssl rand -hex 32)",
			path, len(token), minToken)
	case len(token) > maxToken:
		return "", fmt.Errorf("http.send.token_file %s holds more than %d characters", path, maxToken)
	case strings.ContainsFunc(token, func(r rune) bool { return r <= ' ' || r > '~' }):
		return "", fmt.Errorf("http.send.token_file %s holds a space, a control or a non-ASCII character, "+
			"which an Authorization header cannot carry", path)
	}
	return token, nil
}

// requireBearer answers 401 with a WWW-Authenticate challenge unless the
// request carries "Authorization: Bearer <token>".
func requireBearer(token string, next http.Handler) http.Handler {
	// Comparing digests takes the same time whatever the length or the
	// first differing byte of what was sent.
	want := sha256.Sum256([]byte(token))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, ok := bearer(r.Header.Get("Authorization"))
		if !ok {
			w.Header().Set("WWW-Authenticate", `Bearer realm="dispatchd"`)
			writeJSON(w, http.StatusUnauthorized, apiError{Error: "missing bearer token: send Authorization: Bearer TOKEN"})
			return
		}
		sum := sha256.Sum256([]byte(got))
		if subtle.ConstantTimeCompare(sum[:], want[:]) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="dispatchd", error="invalid_token"`)
			writeJSON(w, http.StatusUnauthorized, apiError{Error: "invalid bearer token"})
			return
		}
		next.ServeHTTP(w, r)
	})
}

// bearer returns the token of an Authorization header of scheme Bearer,
// whose name is case-insensitive (RFC 9110, 11.1).
func bearer(header string) (string, bool) {
	scheme, token, ok := strings.Cut(header, " ")
	token = strings.TrimSpace(token)
	return token, ok && strings.EqualFold(scheme, "Bearer") && token != ""
}

// requireJSON answers 415 unless the body is declared application/json, in
// UTF-8 if a charset is named. Browsers send no such type across origins
// without a CORS preflight, which dispatchd never grants, so a web page
// cannot post to a dispatchd its visitor can reach.
func requireJSON(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
		charset, named := params["charset"]
		if err != nil || mt != "application/json" || (named && !strings.EqualFold(charset, "utf-8")) {
			w.Header().Set("Accept-Post", "application/json")
			writeJSON(w, http.StatusUnsupportedMediaType, apiError{Error: "Content-Type must be application/json"})
			return
		}
		next.ServeHTTP(w, r)
	})
}

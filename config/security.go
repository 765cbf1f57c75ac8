package config

import (
	"fmt"
	"net/url"
	"os"
	"strings"
)

// SASL mechanisms, spelled as Kafka spells them.
const (
	MechanismPlain       = "PLAIN"
	MechanismSCRAMSHA256 = "SCRAM-SHA-256"
	MechanismSCRAMSHA512 = "SCRAM-SHA-512"
	MechanismOAuthBearer = "OAUTHBEARER"
)

// EffectiveMechanism is kafka.sasl.mechanism, PLAIN when it is empty: what
// kafka.sasl.enabled alone has always meant.
func (s SASL) EffectiveMechanism() string {
	if s.Mechanism == "" {
		return MechanismPlain
	}
	return s.Mechanism
}

// ReadPassword returns the SASL password: kafka.sasl.password, or what
// kafka.sasl.password_file holds.
func (s SASL) ReadPassword() (string, error) {
	return readSecret("kafka.sasl.password_file", s.Password, s.PasswordFile)
}

// ReadClientSecret returns the OAuth client secret:
// kafka.sasl.oauth.client_secret, or what its *_file holds.
func (o OAuth) ReadClientSecret() (string, error) {
	return readSecret("kafka.sasl.oauth.client_secret_file", o.ClientSecret, o.ClientSecretFile)
}

// readSecret returns inline, or the content of file when it is set. Mounted
// secrets and `echo > file` end in a newline that is not part of the secret.
func readSecret(fileKey, inline, file string) (string, error) {
	if file == "" {
		return inline, nil
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return "", fmt.Errorf("%s: %w", fileKey, err)
	}
	s := strings.TrimSuffix(strings.TrimSuffix(string(b), "\n"), "\r")
	if s == "" {
		return "", fmt.Errorf("%s: %s is empty", fileKey, file)
	}
	return s, nil
}

// validate checks the mechanism has what it needs, and that credentials do
// not cross the network in the clear unless allow_plaintext says so.
func (s SASL) validate(p *problems, tlsOn bool) {
	mech := s.EffectiveMechanism()
	p.oneOf("kafka.sasl.mechanism", mech, MechanismPlain, MechanismSCRAMSHA256, MechanismSCRAMSHA512, MechanismOAuthBearer)
	o := s.OAuth
	oauthKeys := []setting{{"kafka.sasl.oauth.token_url", o.TokenURL != ""}, {"kafka.sasl.oauth.client_id", o.ClientID != ""},
		{"kafka.sasl.oauth.client_secret", o.ClientSecret != ""}, {"kafka.sasl.oauth.client_secret_file", o.ClientSecretFile != ""},
		{"kafka.sasl.oauth.scopes", len(o.Scopes) > 0}}
	if !s.Enabled {
		// username and password were accepted unused before mechanisms
		// existed, so only the newer keys are refused here.
		unused(p, "kafka.sasl.enabled is false", append(oauthKeys,
			setting{"kafka.sasl.mechanism", mech != MechanismPlain}, setting{"kafka.sasl.password_file", s.PasswordFile != ""})...)
		return
	}
	if mech == MechanismOAuthBearer {
		checkTokenURL(p, o.TokenURL, s.AllowPlaintext)
		p.notEmpty("kafka.sasl.oauth.client_id (required by kafka.sasl.mechanism=OAUTHBEARER)", o.ClientID)
		exactlyOne(p, "kafka.sasl.oauth.client_secret", o.ClientSecret, o.ClientSecretFile)
		unused(p, "kafka.sasl.mechanism is OAUTHBEARER", setting{"kafka.sasl.username", s.Username != ""},
			setting{"kafka.sasl.password", s.Password != ""}, setting{"kafka.sasl.password_file", s.PasswordFile != ""})
	} else {
		p.notEmpty("kafka.sasl.username (required by kafka.sasl.enabled)", s.Username)
		exactlyOne(p, "kafka.sasl.password", s.Password, s.PasswordFile)
		unused(p, "kafka.sasl.mechanism is "+mech, oauthKeys...)
	}
	if !tlsOn && !s.AllowPlaintext {
		p.addf("kafka.sasl.mechanism %s without kafka.tls.enabled sends the credentials where anyone on the path can "+
			"take them: turn TLS on, or set kafka.sasl.allow_plaintext=true if that is meant", mech)
	}
}

// validate checks that the TLS keys are used only with TLS on, and the client
// certificate comes with its key.
func (t TLS) validate(p *problems) {
	if !t.Enabled {
		unused(p, "kafka.tls.enabled is false", setting{"kafka.tls.ca_file", t.CAFile != ""},
			setting{"kafka.tls.cert_file", t.CertFile != ""}, setting{"kafka.tls.key_file", t.KeyFile != ""},
			setting{"kafka.tls.server_name", t.ServerName != ""}, setting{"kafka.tls.insecure_skip_verify", t.InsecureSkipVerify})
		return
	}
	if (t.CertFile == "") != (t.KeyFile == "") {
		p.addf("kafka.tls.cert_file and kafka.tls.key_file go together: set both for a client certificate, or neither")
	}
}

// setting is a key and whether it is set.
type setting struct {
	path string
	set  bool
}

// unused reports each set key as having no effect, because of why.
func unused(p *problems, why string, ss ...setting) {
	for _, s := range ss {
		if s.set {
			p.addf("%s is set but %s, so it would have no effect", s.path, why)
		}
	}
}

// exactlyOne checks that a secret comes from path or from path_file, not both.
func exactlyOne(p *problems, path, inline, file string) {
	switch {
	case inline == "" && file == "":
		p.addf("%s or %s_file must be set", path, path)
	case inline != "" && file != "":
		p.addf("%s and %s_file are both set: keep one", path, path)
	}
}

// checkTokenURL checks the token endpoint is an absolute https URL; http
// would send the client secret in the clear, so it needs allow_plaintext.
func checkTokenURL(p *problems, raw string, allowPlaintext bool) {
	const path = "kafka.sasl.oauth.token_url"
	if raw == "" {
		p.addf("%s must be set (required by kafka.sasl.mechanism=OAUTHBEARER)", path)
		return
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http"):
		p.addf("%s %q must be an absolute https URL", path, raw)
	case u.Scheme == "http" && !allowPlaintext:
		p.addf("%s %q is http, which sends the client secret in the clear: use https, or set kafka.sasl.allow_plaintext=true if that is meant", path, raw)
	}
}

package config_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"dispatchd/config"
)

// scram is a complete SCRAM-SHA-512 over TLS setup, the base the cases change.
func scram(c *config.Config) {
	c.Kafka.SASL = config.SASL{Enabled: true, Mechanism: config.MechanismSCRAMSHA512, Username: "u", Password: "p"}
	c.Kafka.TLS.Enabled = true
}

// oauth is a complete OAUTHBEARER over TLS setup.
func oauth(c *config.Config) {
	c.Kafka.SASL = config.SASL{Enabled: true, Mechanism: config.MechanismOAuthBearer, OAuth: config.OAuth{
		TokenURL: "https://idp.example.com/oauth2/token", ClientID: "dispatchd", ClientSecretFile: "/run/secrets/oauth"}}
	c.Kafka.TLS.Enabled = true
}

func TestValidate_kafka_connection(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*config.Config)
		want   string // "" when the config is valid
	}{
		{"zero_connect_timeout", func(c *config.Config) { c.Kafka.ConnectTimeout = 0 }, "kafka.connect_timeout"},
		{"scram_over_tls_is_valid", scram, ""},
		{"scram_password_from_file_is_valid", func(c *config.Config) {
			scram(c)
			c.Kafka.SASL.Password, c.Kafka.SASL.PasswordFile = "", "/run/secrets/kafka"
		}, ""},
		{"enabled_without_mechanism_means_plain", func(c *config.Config) {
			c.Kafka.SASL = config.SASL{Enabled: true, Username: "u", Password: "p"}
			c.Kafka.TLS.Enabled = true
		}, ""},
		{"unknown_mechanism", func(c *config.Config) { scram(c); c.Kafka.SASL.Mechanism = "SCRAM-SHA-1" }, `kafka.sasl.mechanism "SCRAM-SHA-1" must be one of`},
		{"lower_case_mechanism", func(c *config.Config) { scram(c); c.Kafka.SASL.Mechanism = "scram-sha-512" }, "kafka.sasl.mechanism"},
		{"password_and_password_file", func(c *config.Config) { scram(c); c.Kafka.SASL.PasswordFile = "/f" },
			"kafka.sasl.password and kafka.sasl.password_file are both set"},
		{"no_password_at_all", func(c *config.Config) { scram(c); c.Kafka.SASL.Password = "" },
			"kafka.sasl.password or kafka.sasl.password_file must be set"},
		{"scram_without_username", func(c *config.Config) { scram(c); c.Kafka.SASL.Username = "" }, "kafka.sasl.username"},
		{"plain_without_tls", func(c *config.Config) {
			c.Kafka.SASL = config.SASL{Enabled: true, Mechanism: config.MechanismPlain, Username: "u", Password: "p"}
		}, "kafka.sasl.mechanism PLAIN without kafka.tls.enabled"},
		{"scram_without_tls", func(c *config.Config) { scram(c); c.Kafka.TLS.Enabled = false }, "set kafka.sasl.allow_plaintext=true if that is meant"},
		{"oauth_without_tls", func(c *config.Config) { oauth(c); c.Kafka.TLS.Enabled = false }, "kafka.sasl.mechanism OAUTHBEARER without kafka.tls.enabled"},
		{"plaintext_allowed_is_valid", func(c *config.Config) { scram(c); c.Kafka.TLS.Enabled, c.Kafka.SASL.AllowPlaintext = false, true }, ""},
		{"mechanism_without_enabled", func(c *config.Config) { scram(c); c.Kafka.SASL.Enabled = false },
			"kafka.sasl.mechanism is set but kafka.sasl.enabled is false"},
		{"password_file_without_enabled", func(c *config.Config) { c.Kafka.SASL.PasswordFile = "/f" },
			"kafka.sasl.password_file is set but kafka.sasl.enabled is false"},
		{"legacy_username_without_enabled_is_still_accepted", func(c *config.Config) { c.Kafka.SASL.Username, c.Kafka.SASL.Password = "u", "p" }, ""},
		{"oauth_is_valid", oauth, ""},
		{"oauth_without_token_url", func(c *config.Config) { oauth(c); c.Kafka.SASL.OAuth.TokenURL = "" }, "kafka.sasl.oauth.token_url must be set"},
		{"oauth_relative_token_url", func(c *config.Config) { oauth(c); c.Kafka.SASL.OAuth.TokenURL = "/token" }, "must be an absolute https URL"},
		{"oauth_http_token_url", func(c *config.Config) { oauth(c); c.Kafka.SASL.OAuth.TokenURL = "http://idp/token" },
			"kafka.sasl.oauth.token_url \"http://idp/token\" is http"},
		{"oauth_http_token_url_allowed", func(c *config.Config) {
			oauth(c)
			c.Kafka.SASL.OAuth.TokenURL, c.Kafka.SASL.AllowPlaintext = "http://127.0.0.1:1/token", true
		}, ""},
		{"oauth_without_client_id", func(c *config.Config) { oauth(c); c.Kafka.SASL.OAuth.ClientID = "" }, "kafka.sasl.oauth.client_id"},
		{"oauth_without_secret", func(c *config.Config) { oauth(c); c.Kafka.SASL.OAuth.ClientSecretFile = "" },
			"kafka.sasl.oauth.client_secret or kafka.sasl.oauth.client_secret_file must be set"},
		{"oauth_with_a_password", func(c *config.Config) { oauth(c); c.Kafka.SASL.Password = "p" },
			"kafka.sasl.password is set but kafka.sasl.mechanism is OAUTHBEARER"},
		{"scram_with_oauth_keys", func(c *config.Config) { scram(c); c.Kafka.SASL.OAuth.Scopes = []string{"kafka"} },
			"kafka.sasl.oauth.scopes is set but kafka.sasl.mechanism is SCRAM-SHA-512"},
		{"mtls_is_valid", func(c *config.Config) {
			c.Kafka.TLS = config.TLS{Enabled: true, CAFile: "ca.pem", CertFile: "client.pem", KeyFile: "client-key.pem", ServerName: "kafka"}
		}, ""},
		{"cert_without_key", func(c *config.Config) { c.Kafka.TLS = config.TLS{Enabled: true, CertFile: "client.pem"} },
			"kafka.tls.cert_file and kafka.tls.key_file go together"},
		{"ca_file_without_tls", func(c *config.Config) { c.Kafka.TLS.CAFile = "ca.pem" }, "kafka.tls.ca_file is set but kafka.tls.enabled is false"},
		{"insecure_without_tls", func(c *config.Config) { c.Kafka.TLS.InsecureSkipVerify = true },
			"kafka.tls.insecure_skip_verify is set but kafka.tls.enabled is false"},
		{"insecure_with_tls_is_allowed", func(c *config.Config) { c.Kafka.TLS.Enabled, c.Kafka.TLS.InsecureSkipVerify = true, true }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := config.Default()
			tt.mutate(&c)
			err := c.Validate()
			if tt.want == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorContains(t, err, tt.want)
		})
	}
}

func TestReadPassword_from_the_key_or_its_file(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		path := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
		return path
	}
	tests := []struct {
		name    string
		sasl    config.SASL
		want    string
		wantErr []string
	}{
		{name: "inline", sasl: config.SASL{Password: "inline"}, want: "inline"},
		{name: "file_without_newline", sasl: config.SASL{PasswordFile: write("a", "s3cret")}, want: "s3cret"},
		{name: "file_drops_one_trailing_newline", sasl: config.SASL{PasswordFile: write("b", "s3cret\n")}, want: "s3cret"},
		{name: "file_drops_crlf", sasl: config.SASL{PasswordFile: write("c", "s3cret\r\n")}, want: "s3cret"},
		{name: "file_keeps_inner_spaces", sasl: config.SASL{PasswordFile: write("d", " a b \n")}, want: " a b "},
		{name: "missing_file_names_the_key", sasl: config.SASL{PasswordFile: filepath.Join(dir, "absent")},
			wantErr: []string{"kafka.sasl.password_file", "absent", "no such file"}},
		{name: "empty_file_is_an_error", sasl: config.SASL{PasswordFile: write("e", "\n")},
			wantErr: []string{"kafka.sasl.password_file", "is empty"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.sasl.ReadPassword()
			for _, w := range tt.wantErr {
				require.ErrorContains(t, err, w)
			}
			if tt.wantErr == nil {
				require.NoError(t, err)
				require.Equal(t, tt.want, got)
			}
		})
	}
}

func TestReadClientSecret_from_its_file(t *testing.T) {
	path := filepath.Join(t.TempDir(), "secret")
	require.NoError(t, os.WriteFile(path, []byte("oauth-secret\n"), 0o600))
	got, err := config.OAuth{ClientSecretFile: path}.ReadClientSecret()
	require.NoError(t, err)
	require.Equal(t, "oauth-secret", got)
	_, err = config.OAuth{ClientSecretFile: path + ".absent"}.ReadClientSecret()
	require.ErrorContains(t, err, "kafka.sasl.oauth.client_secret_file")
}

func TestString_redacts_every_secret(t *testing.T) {
	c := config.Default()
	oauth(&c)
	c.Kafka.SASL.Password = "hunter2"
	c.Kafka.SASL.OAuth.ClientSecret = "oauth-secret"
	out := c.String()
	require.NotContains(t, out, "hunter2")
	require.NotContains(t, out, "oauth-secret")
	require.Contains(t, out, "client_secret: '[REDACTED]'")
	require.Contains(t, out, "client_secret_file: /run/secrets/oauth", "a file's path is not a secret")
}

func TestLoad_never_echoes_a_secret_that_does_not_parse(t *testing.T) {
	tests := []struct {
		name, file, secret string
		want               []string
	}{
		{name: "unquoted_numeric_password", file: "kafka:\n  sasl:\n    password: 12345\n", secret: "12345",
			want: []string{"kafka.sasl.password", "is a number", "quote it"}},
		{name: "unquoted_boolean_client_secret", file: "kafka:\n  sasl:\n    oauth:\n      client_secret: true\n", secret: "true",
			want: []string{"kafka.sasl.oauth.client_secret", "is a boolean"}},
		// The secrets have a dot: the error names a temp path whose
		// random digits may hold "31", and did, one run in ten.
		{name: "float_password", file: "kafka:\n  sasl:\n    password: 31.415e2\n", secret: "31.415",
			want: []string{"kafka.sasl.password", "is a number"}},
		{name: "float_password_as_parsed", file: "kafka:\n  sasl:\n    password: 31.415e2\n", secret: "3141.5",
			want: []string{"kafka.sasl.password", "is a number"}},
		{name: "password_one_level_too_high", file: "kafka:\n  sasl: hunter2\n", secret: "hunter2",
			want: []string{"kafka.sasl must be a mapping of keys, not a string"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := config.Load(writeFile(t, tt.file), nil, nil)
			for _, w := range tt.want {
				require.ErrorContains(t, err, w)
			}
			require.NotContains(t, err.Error(), tt.secret)
		})
	}
}

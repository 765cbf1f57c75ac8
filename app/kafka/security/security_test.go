package security_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/IBM/sarama"
	"github.com/stretchr/testify/require"

	"dispatchd/app/kafka/security"
	"dispatchd/app/kafkatest"
	"dispatchd/config"
)

func TestApply_sets_the_mechanism_and_reads_the_secret_files(t *testing.T) {
	dir := t.TempDir()
	pw := filepath.Join(dir, "password")
	require.NoError(t, os.WriteFile(pw, []byte("from-file\n"), 0o600))
	secret := filepath.Join(dir, "client-secret")
	require.NoError(t, os.WriteFile(secret, []byte("oauth-secret\n"), 0o600))
	tests := []struct {
		name     string
		sasl     config.SASL
		wantMech sarama.SASLMechanism
		wantPass string
		scram    bool
	}{
		{name: "enabled_alone_is_plain", sasl: config.SASL{Enabled: true, Username: "u", Password: "p"},
			wantMech: sarama.SASLTypePlaintext, wantPass: "p"},
		{name: "scram_sha_256", sasl: config.SASL{Enabled: true, Mechanism: config.MechanismSCRAMSHA256, Username: "u", Password: "p"},
			wantMech: sarama.SASLTypeSCRAMSHA256, wantPass: "p", scram: true},
		{name: "scram_sha_512_password_file", sasl: config.SASL{Enabled: true, Mechanism: config.MechanismSCRAMSHA512, Username: "u", PasswordFile: pw},
			wantMech: sarama.SASLTypeSCRAMSHA512, wantPass: "from-file", scram: true},
		{name: "oauthbearer", sasl: config.SASL{Enabled: true, Mechanism: config.MechanismOAuthBearer,
			OAuth: config.OAuth{TokenURL: "https://idp/token", ClientID: "c", ClientSecretFile: secret}}, wantMech: sarama.SASLTypeOAuth},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := sarama.NewConfig()
			require.NoError(t, security.Apply(sc, config.Kafka{SASL: tt.sasl}))
			require.True(t, sc.Net.SASL.Enable)
			require.Equal(t, tt.wantMech, sc.Net.SASL.Mechanism)
			require.Equal(t, tt.wantPass, sc.Net.SASL.Password)
			require.Equal(t, tt.scram, sc.Net.SASL.SCRAMClientGeneratorFunc != nil)
			if tt.wantMech == sarama.SASLTypeOAuth {
				require.IsType(t, &security.TokenProvider{}, sc.Net.SASL.TokenProvider)
			}
			require.NoError(t, sc.Validate(), "sarama accepts it")
		})
	}
}

func TestApply_errors_name_the_key(t *testing.T) {
	dir := t.TempDir()
	notPEM := filepath.Join(dir, "not.pem")
	require.NoError(t, os.WriteFile(notPEM, []byte("not a certificate"), 0o600))
	certs := kafkatest.NewCA(t).WriteDir(t)
	otherKey := filepath.Join(kafkatest.NewCA(t).WriteDir(t), kafkatest.ClientKeyFile)
	tests := []struct {
		name string
		k    config.Kafka
		want string
	}{
		{name: "missing_password_file", k: config.Kafka{SASL: config.SASL{Enabled: true, Username: "u", PasswordFile: filepath.Join(dir, "absent")}},
			want: "kafka.sasl.password_file: open "},
		{name: "missing_client_secret_file", k: config.Kafka{SASL: config.SASL{Enabled: true, Mechanism: config.MechanismOAuthBearer,
			OAuth: config.OAuth{ClientSecretFile: filepath.Join(dir, "absent")}}}, want: "kafka.sasl.oauth.client_secret_file: open "},
		{name: "missing_ca_file", k: config.Kafka{TLS: config.TLS{Enabled: true, CAFile: filepath.Join(dir, "absent")}}, want: "kafka.tls.ca_file: open "},
		{name: "ca_file_not_pem", k: config.Kafka{TLS: config.TLS{Enabled: true, CAFile: notPEM}}, want: "kafka.tls.ca_file: " + notPEM + " holds no PEM certificate"},
		{name: "key_of_another_certificate", k: config.Kafka{TLS: config.TLS{Enabled: true,
			CertFile: filepath.Join(certs, kafkatest.ClientFile), KeyFile: otherKey}}, want: "kafka.tls.cert_file, kafka.tls.key_file: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.ErrorContains(t, security.Apply(sarama.NewConfig(), tt.k), tt.want)
		})
	}
}

func TestApply_tls_uses_the_ca_file_and_client_certificate(t *testing.T) {
	dir := kafkatest.NewCA(t).WriteDir(t)
	sc := sarama.NewConfig()
	require.NoError(t, security.Apply(sc, config.Kafka{TLS: config.TLS{Enabled: true, ServerName: "kafka-0",
		CAFile: filepath.Join(dir, kafkatest.CAFile), CertFile: filepath.Join(dir, kafkatest.ClientFile), KeyFile: filepath.Join(dir, kafkatest.ClientKeyFile)}}))
	require.True(t, sc.Net.TLS.Enable)
	require.NotNil(t, sc.Net.TLS.Config.RootCAs)
	require.Len(t, sc.Net.TLS.Config.Certificates, 1)
	require.Equal(t, "kafka-0", sc.Net.TLS.Config.ServerName)
	require.False(t, sc.Net.TLS.Config.InsecureSkipVerify)
	require.False(t, sc.Net.SASL.Enable)
}

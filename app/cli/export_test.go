package cli

import (
	"io"

	"github.com/IBM/sarama"
)

// FormatRecord exposes formatRecord to the cli_test package.
func FormatRecord(m *sarama.ConsumerMessage) string { return formatRecord(m) }

// SendValues exposes sendValues to the cli_test package.
func SendValues(key, typ, data string, raw bool, stdin io.Reader) ([][]byte, error) {
	return sendValues(&sendFlags{key: key, typ: typ, data: data, raw: raw}, stdin)
}

// Serve exposes serve to the cli_test package.
var Serve = serve

// Command dispatch-chaos runs dispatchd's failure suite against a local
// 3-node Apache Kafka cluster; see package dispatchd/cmd/internal/chaos and
// the README's Failure behaviour section.
package main

import (
	"os"

	"dispatchd/cmd/internal/chaos"
)

func main() {
	os.Exit(chaos.Main(os.Args[1:], os.Stdout, os.Stderr))
}

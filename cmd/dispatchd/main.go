// Command dispatchd is the Kafka dispatch worker daemon and its tools.
package main

import (
	"os"

	"dispatchd/app/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

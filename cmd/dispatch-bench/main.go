// Command dispatch-bench measures dispatchd against its baselines; see
// package dispatchd/cmd/internal/bench and the README's Performance section.
package main

import (
	"os"

	"dispatchd/cmd/internal/bench"
)

func main() {
	os.Exit(bench.Main(os.Args[1:], os.Stdout, os.Stderr))
}

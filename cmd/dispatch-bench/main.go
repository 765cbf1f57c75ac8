// Command dispatch-bench measures dispatchd against its baselines; see
// package dispatchd/app/bench and the README's Performance section.
package main

import (
	"os"

	"dispatchd/app/bench"
)

func main() {
	os.Exit(bench.Main(os.Args[1:], os.Stdout, os.Stderr))
}

package proc

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
)

// Binary is the dispatchd binary, built from dispatchd/cmd/dispatchd at
// most once, on the first call to Path, into a temporary directory that
// Remove deletes. The zero value is ready to use.
type Binary struct {
	once sync.Once
	dir  string
	path string
	err  error
}

// Path builds the binary if it is not built yet, and returns where it is.
func (b *Binary) Path() (string, error) {
	b.once.Do(func() {
		if b.dir, b.err = os.MkdirTemp("", "dispatchd-bin-"); b.err != nil {
			return
		}
		path := filepath.Join(b.dir, "dispatchd")
		if out, err := exec.Command("go", "build", "-o", path, "dispatchd/cmd/dispatchd").CombinedOutput(); err != nil {
			b.err = fmt.Errorf("go build: %v\n%s", err, out)
			return
		}
		b.path = path
	})
	return b.path, b.err
}

// Remove deletes the binary and its directory, if Path made them.
func (b *Binary) Remove() error {
	if b.dir == "" {
		return nil
	}
	return os.RemoveAll(b.dir)
}

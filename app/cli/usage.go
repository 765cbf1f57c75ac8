package cli

import "github.com/spf13/cobra"

// exitError carries an exit code through cobra.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// usageErr marks err as a usage error: bad flags, arguments or config, exit
// code 2.
func usageErr(err error) error { return &exitError{code: ExitUsage, err: err} }

// typeUsageErrors makes the flag and argument errors of root and its
// subcommands usage errors where they arise, so nothing has to recognise
// cobra's wording. Call it once the tree is complete.
func typeUsageErrors(root *cobra.Command) {
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageErr(err) })
	typeArgErrors(root)
}

// typeArgErrors wraps the argument validator of c and of every command under it.
func typeArgErrors(c *cobra.Command) {
	if check := c.Args; check != nil {
		c.Args = func(cmd *cobra.Command, args []string) error {
			if err := check(cmd, args); err != nil {
				return usageErr(err)
			}
			return nil
		}
	}
	for _, sub := range c.Commands() {
		typeArgErrors(sub)
	}
}

// execute runs root. The one error cobra raises before it has chosen a
// command, an unknown command, has no hook to type it where it arises; a
// command that was never called (CalledAs is empty) marks it.
func execute(root *cobra.Command) error {
	cmd, err := root.ExecuteC()
	if err != nil && cmd.CalledAs() == "" {
		return usageErr(err)
	}
	return err
}

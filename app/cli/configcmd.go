package cli

import (
	"fmt"

	"github.com/spf13/cobra"
)

func configCmd() *cobra.Command {
	c := &cobra.Command{Use: "config", Short: "Check or print the effective configuration"}
	c.AddCommand(&cobra.Command{
		Use:   "check",
		Short: "Validate the configuration and read the files it names; exit 2 with the reason if it is invalid",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if _, _, err := loadClient(cmd); err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), "config ok")
			return nil
		},
	}, &cobra.Command{
		Use:   "print",
		Short: "Print the effective configuration as YAML, secrets redacted",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := load(cmd)
			if err != nil {
				return err
			}
			fmt.Fprint(cmd.OutOrStdout(), cfg.String())
			return nil
		},
	})
	return c
}

package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"dispatchd/app/kafka"
)

func topicsCmd() *cobra.Command {
	c := &cobra.Command{Use: "topics", Short: "Manage the topics dispatchd uses"}
	c.AddCommand(&cobra.Command{
		Use:   "ensure",
		Short: "Create the input, output and dead-letter topics if they do not exist (idempotent)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, sc, err := loadClient(cmd)
			if err != nil {
				return err
			}
			st, err := kafka.EnsureTopics(cfg.Kafka.Brokers, sc, kafka.Topics(cfg))
			for _, s := range st {
				verb := "exists"
				if s.Created {
					verb = "created"
				}
				fmt.Fprintf(cmd.OutOrStdout(), "%-8s %s (%d partitions)\n", verb, s.Name, s.Partitions)
			}
			return err
		},
	})
	return c
}

package cli

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/IBM/sarama"
	"github.com/spf13/cobra"

	"dispatchd/app/kafka"
	"dispatchd/config"
)

// check is one line of the doctor's table.
type check struct {
	name, detail string
	err          error
}

func doctorCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "doctor",
		Short: "Connect with the configuration and report brokers, authentication, topics and group; exit 0 only if the daemon could run",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, sc, err := loadClient(cmd)
			if err != nil {
				return err
			}
			checks := diagnose(cfg, sc)
			printChecks(cmd.OutOrStdout(), checks)
			for _, c := range checks {
				if c.err != nil {
					return errors.New("the daemon could not run with this configuration (see above)")
				}
			}
			return nil
		},
	}
}

// diagnose connects as the daemon would and asks what it needs, in order;
// it stops at the first check the rest depend on.
func diagnose(cfg config.Config, sc *sarama.Config) []check {
	if c, ok := probe(cfg.Kafka.Brokers, sc); !ok {
		return []check{c}
	}
	admin, err := sarama.NewClusterAdmin(cfg.Kafka.Brokers, sc)
	if err != nil {
		return []check{{name: "connect", detail: strings.Join(cfg.Kafka.Brokers, ","), err: err}}
	}
	defer func() { _ = admin.Close() }()
	brokers, controller, err := admin.DescribeCluster()
	if err != nil {
		return []check{{name: "connect", detail: strings.Join(cfg.Kafka.Brokers, ","), err: err}}
	}
	out := []check{
		{name: "connect", detail: fmt.Sprintf("%d broker(s) answer, controller %d", len(brokers), controller)},
		{name: "authentication", detail: authSummary(cfg)},
	}
	reports, err := kafka.DescribeTopics(cfg.Kafka.Brokers, sc, kafka.Uses(cfg))
	if err != nil {
		return append(out, check{name: "topics", err: err})
	}
	for _, r := range reports {
		c := check{name: r.Setting, detail: fmt.Sprintf("%s: %d partitions", r.Name, r.Partitions), err: r.Err}
		switch {
		case r.Err != nil && r.Partitions == 0 && cfg.Topics.AutoCreate:
			c.detail, c.err = r.Name+": missing; topics.auto_create will create it (needs the CREATE ACL)", nil
		case r.Err != nil:
			c.detail = "" // the error names the topic
		}
		out = append(out, c)
	}
	return append(out, groupCheck(admin, cfg.Consumer.Group))
}

// groupCheck describes the consumer group: its state and members.
func groupCheck(admin sarama.ClusterAdmin, group string) check {
	c := check{name: "consumer.group"}
	ds, err := admin.DescribeConsumerGroups([]string{group})
	if err == nil && len(ds) == 1 && ds[0].Err != sarama.ErrNoError {
		err = ds[0].Err
	}
	switch {
	case err != nil:
		c.detail, c.err = group, err
	case len(ds) != 1 || ds[0].State == "Dead":
		c.detail = group + ": no members and no offsets yet; created on first join"
	default:
		c.detail = fmt.Sprintf("%s: %s, %d member(s)", group, ds[0].State, len(ds[0].Members))
	}
	return c
}

// probe tries the brokers as the daemon's start-up does, once: a refused
// login or TLS handshake is reported as such, not as a broker that is down.
func probe(brokers []string, sc *sarama.Config) (check, bool) {
	var causes []string
	for _, addr := range brokers {
		err := kafka.Probe(addr, sc)
		if err == nil {
			return check{}, true
		}
		var ce *kafka.ConnectError
		if errors.As(err, &ce) && ce.Failure == kafka.AuthFailed {
			return check{name: "authentication", err: err}, false
		}
		if errors.As(err, &ce) && ce.Failure == kafka.TLSFailed {
			return check{name: "tls", err: err}, false
		}
		causes = append(causes, err.Error())
	}
	return check{name: "connect", err: errors.New("no broker answers: " + strings.Join(causes, "; "))}, false
}

// authSummary says how the daemon authenticates, without secrets.
func authSummary(cfg config.Config) string {
	t, s := cfg.Kafka.TLS, cfg.Kafka.SASL
	parts := []string{"no TLS"}
	switch {
	case t.Enabled && t.InsecureSkipVerify:
		parts[0] = "TLS without verifying the brokers"
	case t.Enabled:
		parts[0] = "TLS"
	}
	if t.Enabled && t.CertFile != "" {
		parts = append(parts, "client certificate "+t.CertFile)
	}
	switch mech := s.EffectiveMechanism(); {
	case !s.Enabled:
		parts = append(parts, "no SASL")
	case mech == config.MechanismOAuthBearer:
		parts = append(parts, "SASL/OAUTHBEARER as client "+s.OAuth.ClientID)
	default:
		parts = append(parts, "SASL/"+mech+" as "+s.Username)
	}
	return strings.Join(parts, ", ")
}

func printChecks(w io.Writer, checks []check) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "CHECK\tRESULT\tDETAIL")
	for _, c := range checks {
		result, detail := "ok", c.detail
		if c.err != nil {
			result, detail = "FAIL", strings.TrimSpace(c.detail+" "+c.err.Error())
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", c.name, result, detail)
	}
	_ = tw.Flush()
}

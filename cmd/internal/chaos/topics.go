package chaos

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
)

// Topics are one scenario's fresh topics and group.
type Topics struct {
	Group, Input, Output, DeadLetter string
	// Partitions of each topic.
	Partitions int32
	// DeadLetterMaxBytes is the dead-letter topic's max.message.bytes, 0
	// for the broker's default.
	DeadLetterMaxBytes int
	// InputMaxBytes is the input topic's max.message.bytes, 0 for the default.
	InputMaxBytes int
}

// replication is what the issue asks of every topic: three copies, and a
// write acknowledged only once two have it.
const (
	replication = 3
	minISR      = "2"
)

// admin is a plain franz-go admin client, independent of dispatchd's code.
func admin(brokers []string) (*kadm.Client, error) {
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...))
	if err != nil {
		return nil, fmt.Errorf("admin client: %w", err)
	}
	return kadm.NewClient(cl), nil
}

// Create creates the topics with replication factor 3 and
// min.insync.replicas=2, and checks the brokers applied both.
func (t Topics) Create(ctx context.Context, brokers []string) error {
	adm, err := admin(brokers)
	if err != nil {
		return err
	}
	defer adm.Close()
	sizes := map[string]int{t.Input: t.InputMaxBytes, t.Output: 0, t.DeadLetter: t.DeadLetterMaxBytes}
	for name, size := range sizes {
		cfg := map[string]*string{"min.insync.replicas": kadm.StringPtr(minISR)}
		if size > 0 {
			cfg["max.message.bytes"] = kadm.StringPtr(strconv.Itoa(size))
		}
		resp, err := adm.CreateTopic(ctx, t.Partitions, replication, cfg, name)
		if err == nil {
			err = resp.Err
		}
		// The names are fresh: one that exists is this call's own, created by
		// a first attempt whose answer a busy broker sent too late. The
		// checks below still say whether it is what was asked for.
		if err != nil && !errors.Is(err, kerr.TopicAlreadyExists) {
			return fmt.Errorf("create %s: %w", name, err)
		}
	}
	rcs, err := adm.DescribeTopicConfigs(ctx, t.Input, t.Output, t.DeadLetter)
	if err != nil {
		return fmt.Errorf("describe topic configs: %w", err)
	}
	for _, rc := range rcs {
		for _, c := range rc.Configs {
			if c.Key == "min.insync.replicas" && c.MaybeValue() != minISR {
				return fmt.Errorf("%s: min.insync.replicas is %s, want %s", rc.Name, c.MaybeValue(), minISR)
			}
		}
	}
	return t.checkReplicas(ctx, adm)
}

func (t Topics) checkReplicas(ctx context.Context, adm *kadm.Client) error {
	md, err := adm.Metadata(ctx, t.Input, t.Output, t.DeadLetter)
	if err != nil {
		return fmt.Errorf("metadata: %w", err)
	}
	for _, td := range md.Topics {
		for _, p := range td.Partitions {
			if len(p.Replicas) != replication {
				return fmt.Errorf("%s/%d has %d replicas, want %d", td.Topic, p.Partition, len(p.Replicas), replication)
			}
		}
	}
	return nil
}

// Leaders counts the input partitions each broker leads.
func (t Topics) Leaders(ctx context.Context, brokers []string) (map[int32]int, error) {
	adm, err := admin(brokers)
	if err != nil {
		return nil, err
	}
	defer adm.Close()
	md, err := adm.Metadata(ctx, t.Input)
	if err != nil {
		return nil, fmt.Errorf("metadata: %w", err)
	}
	out := map[int32]int{}
	for _, p := range md.Topics[t.Input].Partitions {
		out[p.Leader]++
	}
	return out, nil
}

// Committed is the group's committed input offset by partition.
func (t Topics) Committed(ctx context.Context, brokers []string) (map[int32]int64, error) {
	adm, err := admin(brokers)
	if err != nil {
		return nil, err
	}
	defer adm.Close()
	offs, err := adm.FetchOffsets(ctx, t.Group)
	if err != nil {
		return nil, fmt.Errorf("committed offsets of %s: %w", t.Group, err)
	}
	out := map[int32]int64{}
	for p, o := range offs[t.Input] {
		out[p] = o.At
	}
	return out, nil
}

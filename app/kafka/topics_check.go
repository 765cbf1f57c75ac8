package kafka

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/IBM/sarama"
)

// TopicUse is a topic the daemon needs and what it needs it for.
type TopicUse struct {
	// Name of the topic.
	Name string
	// Setting is the config key that names it, for the error a user reads.
	Setting string
	// Write is true for a topic the daemon writes, false for one it reads.
	Write bool
}

// TopicReport is what the brokers said of one topic the daemon needs.
type TopicReport struct {
	TopicUse
	// Partitions is its partition count, 0 when it was not found.
	Partitions int
	// Err is why the daemon could not use it; nil when it can.
	Err error
}

// ACL operation codes in a topic's authorized operations (KIP-430).
const (
	aclRead  = 3
	aclWrite = 4
	// authorizedOmitted is what a broker sends when it did not compute them.
	authorizedOmitted = math.MinInt32
)

// topicsSettle is how long a missing topic is asked about again: a broker
// lists a topic created a moment ago only once its metadata caught up.
const topicsSettle = 5 * time.Second

// CheckTopics returns one error naming every topic of uses the daemon could
// not use, and the setting that names it (see DescribeTopics).
func CheckTopics(brokers []string, sc *sarama.Config, uses []TopicUse) error {
	reports, err := DescribeTopics(brokers, sc, uses)
	if err != nil {
		return err
	}
	var errs []error
	for _, r := range reports {
		errs = append(errs, r.Err)
	}
	return errors.Join(errs...)
}

// DescribeTopics asks the brokers whether each topic exists and, where the
// broker reports authorized operations, whether this client may read or
// write it as it needs. A missing topic is asked about again for a few
// seconds, since it may just have been created. err is set only when the
// brokers could not be asked at all.
func DescribeTopics(brokers []string, sc *sarama.Config, uses []TopicUse) ([]TopicReport, error) {
	client, err := sarama.NewClient(brokers, sc)
	if err != nil {
		return nil, fmt.Errorf("connect to %v: %w", brokers, err)
	}
	defer func() { _ = client.Close() }()
	deadline := time.Now().Add(topicsSettle)
	for {
		reports, missing, err := describeOnce(client, sc, uses)
		if err != nil || !missing || time.Now().After(deadline) {
			return reports, err
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// describeOnce is one metadata request; missing reports whether a topic
// was not found.
func describeOnce(client sarama.Client, sc *sarama.Config, uses []TopicUse) (reports []TopicReport, missing bool, err error) {
	broker := client.LeastLoadedBroker()
	if broker == nil {
		return nil, false, errors.New("describe topics: no broker answers")
	}
	names := make([]string, 0, len(uses))
	for _, u := range uses {
		names = append(names, u.Name)
	}
	req := sarama.NewMetadataRequest(sc.Version, names)
	req.AllowAutoTopicCreation = false
	req.IncludeTopicAuthorizedOperations = req.Version >= 8
	resp, err := broker.GetMetadata(req)
	if err != nil {
		return nil, false, fmt.Errorf("describe topics %v: %w", names, err)
	}
	found := map[string]*sarama.TopicMetadata{}
	for _, t := range resp.Topics {
		found[t.Name] = t
	}
	for _, u := range uses {
		t := found[u.Name]
		missing = missing || t == nil || errors.Is(t.Err, sarama.ErrUnknownTopicOrPartition)
		r := TopicReport{TopicUse: u, Err: u.check(t, req.IncludeTopicAuthorizedOperations)}
		if t != nil {
			r.Partitions = len(t.Partitions)
		}
		reports = append(reports, r)
	}
	return reports, missing, nil
}

func (u TopicUse) check(t *sarama.TopicMetadata, opsAsked bool) error {
	verb, op := "read", aclRead
	if u.Write {
		verb, op = "write", aclWrite
	}
	switch {
	case t == nil || errors.Is(t.Err, sarama.ErrUnknownTopicOrPartition):
		return fmt.Errorf("topic %q (%s) does not exist: create it, or set topics.auto_create=true (needs the CREATE ACL)", u.Name, u.Setting)
	case errors.Is(t.Err, sarama.ErrTopicAuthorizationFailed):
		return fmt.Errorf("topic %q (%s): not authorized to describe it, so not to %s it either", u.Name, u.Setting, verb)
	case t.Err != sarama.ErrNoError:
		return fmt.Errorf("topic %q (%s): %w", u.Name, u.Setting, t.Err)
	case opsAsked && t.TopicAuthorizedOperations != authorizedOmitted && t.TopicAuthorizedOperations&(1<<op) == 0:
		return fmt.Errorf("topic %q (%s): this client is not authorized to %s it", u.Name, u.Setting, verb)
	}
	return nil
}

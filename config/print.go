package config

import (
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// redacted replaces a secret when the config is printed.
const redacted = "[REDACTED]"

// Redacted returns a copy of c with its secrets replaced by "[REDACTED]".
// Empty secrets stay empty, so the output shows whether one is set.
func (c Config) Redacted() Config {
	// Brokers is the only reference-typed field; clone it so the copy is
	// independent of c.
	c.Kafka.Brokers = slices.Clone(c.Kafka.Brokers)
	if c.Kafka.SASL.Password != "" {
		c.Kafka.SASL.Password = redacted
	}
	return c
}

// String renders c as YAML in struct order, with secrets redacted and
// durations written like 10s, so the output loads back with Load.
func (c Config) String() string {
	var b strings.Builder
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(c.Redacted().node()); err != nil {
		// Unreachable: the node holds only strings, numbers, bools and lists.
		return "config: render: " + err.Error()
	}
	return b.String()
}

// node builds the YAML document of c, one mapping per section.
func (c Config) node() *yaml.Node {
	root := &yaml.Node{Kind: yaml.MappingNode}
	for _, f := range keys().fields {
		parent := root
		parts := strings.Split(f.path, ".")
		for _, section := range parts[:len(parts)-1] {
			parent = child(parent, section)
		}
		value := f.get(c)
		if d, ok := value.(time.Duration); ok {
			value = formatDuration(d)
		}
		var v yaml.Node
		if err := v.Encode(value); err != nil {
			v = yaml.Node{Kind: yaml.ScalarNode, Value: format(value)}
		}
		parent.Content = append(parent.Content, scalar(parts[len(parts)-1]), &v)
	}
	return root
}

// child returns the mapping under key in m, adding it when it is missing.
func child(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	sub := &yaml.Node{Kind: yaml.MappingNode}
	m.Content = append(m.Content, scalar(key), sub)
	return sub
}

func scalar(s string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}
}

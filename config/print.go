package config

import (
	"reflect"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// redacted replaces a secret when the config is printed.
const redacted = "[REDACTED]"

// Redacted returns a copy of c with its secrets (the fields tagged
// secret:"true") replaced by "[REDACTED]". Empty secrets stay empty, so the
// output shows whether one is set.
func (c Config) Redacted() Config {
	v := reflect.ValueOf(&c).Elem()
	for _, f := range keys().fields {
		fv := v.FieldByIndex(f.index)
		switch {
		case f.secret && fv.String() != "":
			fv.SetString(redacted)
		case fv.Kind() == reflect.Slice && !fv.IsNil():
			// A copy shares its lists with c; clone them so it is independent.
			fv.Set(reflect.AppendSlice(reflect.MakeSlice(fv.Type(), 0, fv.Len()), fv))
		}
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

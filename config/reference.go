package config

import "strings"

// EnvVar describes one setting: its environment variable, its koanf path, its
// default as written in YAML or the environment, and what it does.
type EnvVar struct {
	// Name is the environment variable, e.g. DISPATCHD_KAFKA_BROKERS.
	Name string
	// Path is the koanf path, which is also the YAML path, e.g. kafka.brokers.
	Path string
	// Default is the default value: durations like 10s, lists comma-joined.
	Default string
	// Doc is the one-line description, the doc tag of the Config field.
	Doc string
}

// EnvVars lists every setting in the order of the Config struct fields.
func EnvVars() []EnvVar {
	def := Default()
	out := make([]EnvVar, 0, len(keys().fields))
	for _, f := range keys().fields {
		out = append(out, f.envVar(def))
	}
	return out
}

// Lookup returns the setting at path, such as "kafka.brokers".
func Lookup(path string) (EnvVar, bool) {
	f, ok := keys().byPath[path]
	if !ok {
		return EnvVar{}, false
	}
	return f.envVar(Default()), true
}

func (f field) envVar(def Config) EnvVar {
	return EnvVar{Name: f.env, Path: f.path, Default: format(f.get(def)), Doc: f.doc}
}

// ReferenceMarkdown renders EnvVars as the markdown table the README embeds.
func ReferenceMarkdown() string {
	var b strings.Builder
	b.WriteString("| YAML path | Environment variable | Default | Description |\n")
	b.WriteString("|---|---|---|---|\n")
	for _, v := range EnvVars() {
		def := "`" + v.Default + "`"
		if v.Default == "" {
			def = "`\"\"`"
		}
		b.WriteString("| `" + v.Path + "` | `" + v.Name + "` | " + def + " | " +
			strings.ReplaceAll(v.Doc, "|", `\|`) + " |\n")
	}
	return b.String()
}

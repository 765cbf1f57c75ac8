package config

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/knadh/koanf/parsers/yaml"
	"github.com/knadh/koanf/providers/confmap"
	"github.com/knadh/koanf/providers/env/v2"
	"github.com/knadh/koanf/providers/file"
	"github.com/knadh/koanf/providers/structs"
	"github.com/knadh/koanf/v2"
)

// Load builds the config: defaults, then the YAML file at path (skipped when
// path is ""), then DISPATCHD_* variables from environ, then overrides (flag
// values keyed by koanf path, e.g. "kafka.brokers" -> "a:1,b:2",
// "http.addr" -> ":9090").
//
// Unknown keys and variables are errors, so a typo is never silently ignored.
// Load does not validate; call Config.Validate on the result.
func Load(path string, environ []string, overrides map[string]string) (Config, error) {
	return LoadOver(Default(), path, environ, overrides)
}

// LoadOver is Load with base in place of Default(): a command that needs
// other defaults (dispatchd dev) still lets the file, the environment and
// the flags override them.
func LoadOver(base Config, path string, environ []string, overrides map[string]string) (Config, error) {
	k := koanf.New(".")
	if err := k.Load(structs.Provider(base, "koanf"), nil); err != nil {
		return Config{}, fmt.Errorf("config: defaults: %w", err)
	}
	layers := []func() (map[string]any, error){
		func() (map[string]any, error) { return fileLayer(path) },
		func() (map[string]any, error) { return envLayer(environ) },
		func() (map[string]any, error) { return overrideLayer(overrides) },
	}
	for _, layer := range layers {
		values, err := layer()
		if err != nil {
			return Config{}, err
		}
		if err := k.Load(confmap.Provider(values, "."), nil); err != nil {
			return Config{}, fmt.Errorf("config: merge: %w", err)
		}
	}
	var c Config
	if err := k.UnmarshalWithConf("", &c, koanf.UnmarshalConf{Tag: "koanf"}); err != nil {
		return Config{}, fmt.Errorf("config: decode: %w", err)
	}
	return c, nil
}

// fileLayer reads the YAML file at path into typed values keyed by path.
// A null value keeps the value of the layer below.
func fileLayer(path string) (map[string]any, error) {
	out := map[string]any{}
	if path == "" {
		return out, nil
	}
	fk := koanf.New(".")
	if err := fk.Load(file.Provider(path), yaml.Parser()); err != nil {
		return nil, fmt.Errorf("config: file %s: %w", path, err)
	}
	source := "file " + path
	var unknown []string
	for _, key := range fk.Keys() {
		raw := fk.Get(key)
		f, ok := keys().byPath[key]
		switch {
		case !ok && isSection(key) && isEmpty(raw):
			continue
		case !ok && isSection(key):
			// Not the value itself: a password typed one level too high
			// (sasl: hunter2) would be echoed.
			return nil, fmt.Errorf("config: %s: %s must be a mapping of keys, not a %s", source, key, kindOf(raw))
		case !ok:
			unknown = append(unknown, key)
			continue
		case raw == nil:
			continue
		}
		v, err := f.parse(raw)
		if err != nil {
			return nil, f.wrap(source, err)
		}
		out[f.path] = v
	}
	if len(unknown) > 0 {
		return nil, fmt.Errorf("config: %s: unknown key %s", source, strings.Join(unknown, ", "))
	}
	return out, nil
}

// envLayer reads the DISPATCHD_* variables of environ into typed values keyed
// by path. Names are matched exactly against the known keys.
func envLayer(environ []string) (map[string]any, error) {
	vars, err := env.Provider("", env.Opt{
		Prefix:      envPrefix,
		EnvironFunc: func() []string { return environ },
	}).Read()
	if err != nil {
		return nil, fmt.Errorf("config: environment: %w", err)
	}
	var unknown []string
	for name := range vars {
		if _, ok := keys().byEnv[name]; !ok && !notOurs(name) {
			unknown = append(unknown, name)
		}
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		noun := "variable"
		if len(unknown) > 1 {
			noun = "variables"
		}
		return nil, fmt.Errorf("config: unknown environment %s %s", noun, strings.Join(unknown, ", "))
	}
	out := map[string]any{}
	for _, f := range keys().fields {
		raw, ok := vars[f.env]
		if !ok {
			continue
		}
		v, err := f.parse(raw)
		if err != nil {
			return nil, f.wrap("environment", err)
		}
		out[f.path] = v
	}
	return out, nil
}

// overrideLayer parses flag values keyed by path.
func overrideLayer(overrides map[string]string) (map[string]any, error) {
	out := map[string]any{}
	for _, key := range slices.Sorted(maps.Keys(overrides)) {
		f, ok := keys().byPath[key]
		if !ok {
			return nil, fmt.Errorf("config: unknown override key %q", key)
		}
		v, err := f.parse(overrides[key])
		if err != nil {
			return nil, f.wrap("override", err)
		}
		out[f.path] = v
	}
	return out, nil
}

// wrap names the source, the path and the variable of a value that did not parse.
func (f field) wrap(source string, err error) error {
	return fmt.Errorf("config: %s: %s (env %s): %w", source, f.path, f.env, err)
}

func isEmpty(raw any) bool {
	m, ok := raw.(map[string]any)
	return raw == nil || (ok && len(m) == 0)
}

package config

import (
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"
)

// envPrefix starts every environment variable dispatchd reads.
const envPrefix = "DISPATCHD_"

// testEnvPrefix is allow-listed: the test suite passes its own settings, such
// as DISPATCHD_TEST_BROKERS, through the same environment.
const testEnvPrefix = envPrefix + "TEST_"

// notOurs reports the DISPATCHD_* variables that are not settings and are
// ignored rather than refused: the test suite's, and the two that
// deployments/kafka/kafka.sh read before it had a namespace of its own. It
// still accepts them, so a shell that exports them must still start dispatchd.
func notOurs(name string) bool {
	switch name {
	case envPrefix + "KAFKA_STATE", envPrefix + "KAFKA_CACHE":
		return true
	}
	return strings.HasPrefix(name, testEnvPrefix)
}

var durationType = reflect.TypeFor[time.Duration]()

// field is one leaf of Config: its koanf path, its environment variable, its
// doc and where it sits in the struct.
type field struct {
	path   string
	env    string
	doc    string
	index  []int
	typ    reflect.Type
	secret bool // never printed, nor echoed in an error
}

// keyTable indexes the leaves of Config in struct order.
type keyTable struct {
	fields []field
	byPath map[string]field
	byEnv  map[string]field
}

// keys is built once from the Config type. Environment names are derived from
// the paths and looked up exactly, because field names contain underscores:
// DISPATCHD_KAFKA_CLIENT_ID cannot be split back into a path by guessing.
var keys = sync.OnceValue(func() keyTable {
	t := keyTable{byPath: map[string]field{}, byEnv: map[string]field{}}
	walk(reflect.TypeFor[Config](), "", nil, func(f field) {
		t.fields = append(t.fields, f)
		t.byPath[f.path] = f
		t.byEnv[f.env] = f
	})
	return t
})

// walk visits the leaves of the struct type typ in declaration order.
func walk(typ reflect.Type, prefix string, index []int, visit func(field)) {
	for i := range typ.NumField() {
		sf := typ.Field(i)
		path := prefix + sf.Tag.Get("koanf")
		idx := append(append([]int(nil), index...), i)
		if sf.Type.Kind() == reflect.Struct && sf.Type != durationType {
			walk(sf.Type, path+".", idx, visit)
			continue
		}
		env := envPrefix + strings.ToUpper(strings.ReplaceAll(path, ".", "_"))
		visit(field{path: path, env: env, doc: sf.Tag.Get("doc"), index: idx, typ: sf.Type, secret: sf.Tag.Get("secret") == "true"})
	}
}

// isSection reports whether path names a group of keys, such as "kafka.sasl".
func isSection(path string) bool {
	for _, f := range keys().fields {
		if strings.HasPrefix(f.path, path+".") {
			return true
		}
	}
	return false
}

// get returns the value of f in c.
func (f field) get(c Config) any {
	return reflect.ValueOf(c).FieldByIndex(f.index).Interface()
}

// format renders v, a value of f, as it is written in the environment or a
// flag: durations like 10s, lists comma-joined.
func format(v any) string {
	switch v := v.(type) {
	case time.Duration:
		return formatDuration(v)
	case []string:
		return strings.Join(v, ",")
	case string:
		return v
	case bool:
		return strconv.FormatBool(v)
	default:
		return strconv.FormatInt(reflect.ValueOf(v).Int(), 10)
	}
}

// formatDuration drops the zero tails Go prints, so 2m0s reads as 2m.
func formatDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

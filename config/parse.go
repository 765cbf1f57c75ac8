package config

import (
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// parse turns a raw value, a string from the environment or a flag or a
// decoded YAML node, into a value of f's Go type.
func (f field) parse(raw any) (any, error) {
	switch {
	case f.typ == durationType:
		return parseDuration(raw)
	case f.typ.Kind() == reflect.Slice:
		return parseList(raw)
	case f.typ.Kind() == reflect.Bool:
		return parseBool(raw)
	case f.typ.Kind() == reflect.String:
		s, ok := raw.(string)
		if !ok && f.secret {
			// YAML reads an unquoted 12345 as a number; saying which
			// number would print the secret.
			return nil, fmt.Errorf("is a %s, want a string: quote it (the value is secret, so it is not shown)", kindOf(raw))
		}
		if !ok {
			return nil, fmt.Errorf("%v is a %T, want a string (quote it)", raw, raw)
		}
		return s, nil
	default:
		return parseInt(raw, f.typ)
	}
}

func parseDuration(raw any) (time.Duration, error) {
	switch v := raw.(type) {
	case string:
		d, err := time.ParseDuration(strings.TrimSpace(v))
		if err != nil {
			return 0, fmt.Errorf("%q is not a duration such as 10s or 250ms", v)
		}
		return d, nil
	case int:
		// A bare 0 is unambiguous; any other number lacks its unit.
		if v == 0 {
			return 0, nil
		}
	}
	return 0, fmt.Errorf("%v is not a duration such as 10s or 250ms", raw)
}

func parseList(raw any) ([]string, error) {
	var items []string
	switch v := raw.(type) {
	case string:
		items = strings.Split(v, ",")
	case []any:
		for _, item := range v {
			s, ok := item.(string)
			if !ok {
				return nil, fmt.Errorf("list item %v is a %T, want a string", item, item)
			}
			items = append(items, s)
		}
	default:
		return nil, fmt.Errorf("%v is a %T, want a list or a comma-separated string", raw, raw)
	}
	var out []string // nil when empty, as in Default: an empty list and none are one setting
	for _, item := range items {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out, nil
}

func parseBool(raw any) (bool, error) {
	switch v := raw.(type) {
	case bool:
		return v, nil
	case string:
		b, err := strconv.ParseBool(strings.TrimSpace(v))
		if err == nil {
			return b, nil
		}
	}
	return false, fmt.Errorf("%q is not a boolean (true or false)", fmt.Sprint(raw))
}

func parseInt(raw any, typ reflect.Type) (any, error) {
	var n int64
	switch v := raw.(type) {
	case int:
		n = int64(v)
	case int64:
		n = v
	case string:
		var err error
		n, err = strconv.ParseInt(strings.TrimSpace(v), 10, typ.Bits())
		if errors.Is(err, strconv.ErrRange) {
			return nil, fmt.Errorf("%s is out of range for %s", v, typ)
		}
		if err != nil {
			return nil, fmt.Errorf("%q is not an integer", v)
		}
	default:
		return nil, fmt.Errorf("%v is a %T, want an integer", raw, raw)
	}
	out := reflect.New(typ).Elem()
	if out.OverflowInt(n) {
		return nil, fmt.Errorf("%d is out of range for %s", n, typ)
	}
	out.SetInt(n)
	return out.Interface(), nil
}

// kindOf names the YAML kind of a decoded value, without its content.
func kindOf(raw any) string {
	switch raw.(type) {
	case bool:
		return "boolean"
	case []any:
		return "list"
	case map[string]any:
		return "mapping"
	case string:
		return "string"
	default:
		return "number"
	}
}

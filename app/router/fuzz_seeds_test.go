package router_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"dispatchd/config"
)

// chainSeed is a record FuzzChain starts from, and where it must end.
type chainSeed struct {
	name  string
	typ   string // the type header; none when empty
	key   string
	value string
	hdrs  [4]string // two more headers, name then value
	// wantResult is true when the record ends as a result, false for a dead letter.
	wantResult bool
}

// args are the seed as FuzzChain's arguments.
func (s chainSeed) args() []any {
	return []any{s.typ, s.key, []byte(s.value), s.hdrs[0], s.hdrs[1], s.hdrs[2], s.hdrs[3]}
}

const orderCancelled = `{"order_id":"o-1","reason":"changed my mind"}`

var chainSeeds = []chainSeed{
	// Issue 12: a type that is not UTF-8 once became a label and blocked its partition.
	{name: "type_not_utf8_before_valid_order", typ: "\xb7", key: "o-1", value: orderPlaced},
	{name: "valid_order_placed", typ: "order.placed", key: "o-1", value: orderPlaced, wantResult: true},
	{name: "valid_order_cancelled", typ: "order.cancelled", key: "o-1", value: orderCancelled, wantResult: true},
	{name: "unknown_type", typ: "order.shipped", key: "o-1", value: orderPlaced},
	{name: "no_type_header", key: "o-1", value: orderPlaced},
	{name: "empty_type_header", key: "o-1", value: orderPlaced, hdrs: [4]string{"type", ""}},
	{name: "type_10kb", typ: strings.Repeat("t", 10<<10), key: "o-1", value: orderPlaced},
	{name: "unknown_field_10kb", typ: "order.placed", key: "o-1",
		value: `{"` + strings.Repeat("f", 10<<10) + `":1,` + orderPlaced[1:]},
	{name: "order_id_not_key", typ: "order.placed", key: "o-2", value: orderPlaced},
	{name: "value_not_json", typ: "order.placed", key: "o-1", value: "\xb7"},
	// The consumer keeps the last of duplicate headers as the message's.
	{name: "duplicate_type_header_last_wins", typ: "\xb7", key: "o-1", value: orderPlaced,
		hdrs: [4]string{"type", "order.placed"}, wantResult: true},
	{name: "ids_not_utf8", typ: "order.placed", key: "o-1", value: orderPlaced,
		hdrs: [4]string{"message_id", "\xb7", "correlation_id", "\xff\xfe"}, wantResult: true},
	{name: "header_names_not_utf8", typ: "order.placed", key: "o-1", value: orderPlaced,
		hdrs: [4]string{"\xb7", "x", "\xc3", "\xb7"}, wantResult: true},
}

func TestChain_seeds(t *testing.T) {
	cfg := config.Default()
	for _, s := range chainSeeds {
		t.Run(s.name, func(t *testing.T) {
			want := cfg.Topics.DeadLetter
			if s.wantResult {
				want = cfg.Topics.Output
			}
			require.Equal(t, want, endsOnce(t, s.typ, s.key, []byte(s.value), s.hdrs[:]...))
		})
	}
}

// TestChain_corpus_matches_the_seeds keeps the committed corpus the seeds: a file per seed,
// named after it, in go test's corpus format.
func TestChain_corpus_matches_the_seeds(t *testing.T) {
	for _, s := range chainSeeds {
		t.Run(s.name, func(t *testing.T) {
			got, err := os.ReadFile(filepath.Join("testdata", "fuzz", "FuzzChain", s.name))
			require.NoError(t, err)
			require.Equal(t, corpusFile(s.args()...), string(got))
		})
	}
}

// corpusFile is args in go test's fuzz corpus format.
func corpusFile(args ...any) string {
	var b strings.Builder
	b.WriteString("go test fuzz v1\n")
	for _, a := range args {
		switch v := a.(type) {
		case string:
			fmt.Fprintf(&b, "string(%q)\n", v)
		case []byte:
			fmt.Fprintf(&b, "[]byte(%q)\n", v)
		}
	}
	return b.String()
}

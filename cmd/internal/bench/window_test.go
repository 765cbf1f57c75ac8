package bench

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestWindow_marks_only_the_acknowledged_prefix(t *testing.T) {
	type mark struct {
		next int64
		ok   bool
	}
	tests := []struct {
		name  string
		size  int
		offs  []int64
		order []int // indexes into offs, in the order they are acknowledged
		want  []mark
	}{
		{name: "in_order", size: 4, offs: []int64{10, 11, 12}, order: []int{0, 1, 2},
			want: []mark{{11, true}, {12, true}, {13, true}}},
		{name: "later_first_waits_for_the_earlier", size: 4, offs: []int64{10, 11, 12}, order: []int{2, 1, 0},
			want: []mark{{0, false}, {0, false}, {13, true}}},
		{name: "gap_closes_in_the_middle", size: 4, offs: []int64{5, 6, 7, 8}, order: []int{0, 2, 1, 3},
			want: []mark{{6, true}, {0, false}, {8, true}, {9, true}}},
		{name: "offsets_need_not_be_contiguous", size: 2, offs: []int64{3, 9}, order: []int{1, 0},
			want: []mark{{0, false}, {10, true}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWindow(tt.size)
			slots := make([]int, len(tt.offs))
			for i, off := range tt.offs {
				slots[i] = w.push(off)
			}
			var got []mark
			for _, i := range tt.order {
				next, ok := w.ack(slots[i])
				got = append(got, mark{next, ok})
			}
			require.Equal(t, tt.want, got)
			require.Zero(t, w.n)
		})
	}
}

func TestWindow_bounds_what_is_in_flight_and_reuses_freed_slots(t *testing.T) {
	w := newWindow(2)
	a, b := w.push(0), w.push(1)
	require.True(t, w.full())
	_, ok := w.ack(b)
	require.False(t, ok)
	require.True(t, w.full(), "an acknowledged result behind an unacknowledged one still holds its slot")
	next, ok := w.ack(a)
	require.True(t, ok)
	require.Equal(t, int64(2), next)
	require.False(t, w.full())
	c := w.push(2)
	require.Equal(t, a, c, "the ring reuses the first freed slot")
	next, ok = w.ack(c)
	require.True(t, ok)
	require.Equal(t, int64(3), next)
}

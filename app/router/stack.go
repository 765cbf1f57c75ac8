package router

import "github.com/ThreeDotsLabs/watermill/message"

// presizeBytes makes the runtime grow the stack to 16 KiB, the largest size
// it keeps cached per P (a larger one costs a heap allocation per message),
// which holds the chain, a handler and the publish.
const presizeBytes = 8 << 10

// Presize is the outermost middleware: it grows the stack of watermill's
// per-message goroutine to 16 KiB while it is still shallow. Such a
// goroutine starts with a small stack (Go sizes it by the average of all
// goroutines, most of which sit idle), and the chain outgrows it two or
// three times, each growth copying and re-walking every frame already on it:
// a quarter of the daemon's CPU, profiled. Grown here, it is copied once,
// with nearly nothing on it.
func Presize(h message.HandlerFunc) message.HandlerFunc {
	return func(msg *message.Message) ([]*message.Message, error) {
		growStack()
		return h(msg)
	}
}

// growStack needs presizeBytes of stack, which makes the runtime grow the
// stack to fit before it runs. The pad is handed to keep, so the compiler
// cannot drop it.
//
//go:noinline
func growStack() {
	var pad [presizeBytes]byte
	keep(&pad)
}

//go:noinline
func keep(*[presizeBytes]byte) {}

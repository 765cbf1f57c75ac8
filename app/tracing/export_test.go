package tracing

// Wanted exposes wanted to the tests.
var Wanted = wanted

// Batching exposes batching to the tests.
var Batching = batching

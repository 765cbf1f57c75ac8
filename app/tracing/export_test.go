package tracing

// Wanted exposes wanted to the tests.
var Wanted = wanted

package httpapi

// Unguarded exposes unguarded to the httpapi_test package.
var Unguarded = unguarded

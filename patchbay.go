// Package patchbay holds Patchbay's domain types: update revisions, computers,
// target groups, approvals and events, and the single error type with its codes.
// It performs no I/O and imports only the standard library, so every other
// package may depend on it (see docs/architecture.md).
package patchbay

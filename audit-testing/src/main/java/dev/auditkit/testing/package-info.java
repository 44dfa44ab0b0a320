/**
 * Test support for auditkit and its users: {@link dev.auditkit.testing.DatabaseTest} runs a test
 * on real PostgreSQL and on H2, each time on a fresh schema, and
 * {@link dev.auditkit.testing.AuditStoreCompatibilityKit} is the contract every store passes.
 */
package dev.auditkit.testing;

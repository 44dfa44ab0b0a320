/**
 * The JDBC store: {@link dev.auditkit.jdbc.JdbcAuditStore} writes audit events to PostgreSQL or
 * H2 — batched, idempotent by event id, append-only in the database — also inside the host's own
 * transaction.
 */
package dev.auditkit.jdbc;

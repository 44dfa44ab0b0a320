/**
 * auditkit's public API: the {@link dev.auditkit.core.AuditEvent} model, the
 * {@link dev.auditkit.core.AuditContext} that carries who/where through a request, the
 * {@link dev.auditkit.core.AuditLog} facade that business code calls, and the
 * {@link dev.auditkit.core.AuditSink} SPI that stores implement.
 */
package dev.auditkit.core;

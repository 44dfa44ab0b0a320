package dev.auditkit.core;

import java.util.List;

/**
 * Where {@link AuditLog} writes events: a database store, a log, a queue. Implementations must be
 * thread-safe and should be idempotent by {@link AuditEvent#id()}: writing a batch again (a retry
 * after a timeout, a journal replay) must not duplicate events.
 */
public interface AuditSink extends AutoCloseable {

  /**
   * Writes a batch. Returns once the events are durable in this sink; throws
   * {@link AuditWriteException} (or another unchecked exception) when they are not.
   *
   * @param events non-empty, already sanitised and redacted
   */
  void write(List<AuditEvent> events);

  /** Releases resources. The default does nothing. */
  @Override
  default void close() {}
}

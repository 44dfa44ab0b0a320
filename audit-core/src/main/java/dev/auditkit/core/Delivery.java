package dev.auditkit.core;

/** When {@link AuditLog} hands events to its store. */
public enum Delivery {
  /**
   * The calling thread writes the event to the store; the call returns once the store has
   * accepted it (for a database store: committed). A store failure is thrown to the caller.
   */
  SYNC,
  /**
   * The calling thread builds, redacts and sanitises the event and hands it to a bounded queue; a
   * writer thread ships batches to the store, retrying with backoff while it fails. With
   * {@link AuditLog.Builder#journal} the event is first appended to a local journal, so a crash
   * or a store outage loses nothing. See {@link AuditLog#health()} and {@link AuditLog#close()}.
   *
   * <p>The writer is a daemon thread: call {@link AuditLog#close()} on shutdown. Without a journal,
   * events still queued when the JVM exits are lost; with one, they are shipped on the next start.
   */
  ASYNC
}

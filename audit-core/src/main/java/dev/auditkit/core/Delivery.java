package dev.auditkit.core;

/** When {@link AuditLog} hands events to its store. */
public enum Delivery {
  /**
   * The calling thread writes the event to the store; the call returns once the store has
   * accepted it (for a database store: committed). A store failure is thrown to the caller.
   */
  SYNC
}

package dev.auditkit.core;

/** What an {@link Delivery#ASYNC} journal survives once {@code appendAuditLog} has returned. */
public enum JournalDurability {
  /**
   * The record is written to the operating system (page cache) before the call returns: it
   * survives a crash or {@code kill -9} of the JVM, not a power loss or kernel crash. Cheap: no
   * disk wait on the calling thread.
   */
  PROCESS_CRASH,
  /**
   * The record is forced to the disk ({@code fsync}) before the call returns. Concurrent callers
   * share one fsync (group commit), so the cost per call is about one disk flush, not one per
   * event.
   */
  POWER_LOSS
}

package dev.auditkit.core;

/**
 * What an {@link Delivery#ASYNC} {@link AuditLog} does when its queue is full. With a journal that
 * can be written, a full queue does not hold the caller up: the event is journaled as always and
 * left there (spilled), and the writer reads it back once it has shipped the queue (see {@link
 * DeliveryHealth#journalOnly()}). The policy applies when there is no journal, or when it cannot be
 * written (full or read-only disk).
 */
public enum OverflowPolicy {
  /** The calling thread waits until the writer has made room. Nothing is dropped. The default. */
  BLOCK,
  /**
   * The event is dropped: the call returns at once, the drop is counted in
   * {@link DeliveryHealth#dropped()} and logged at ERROR. Not allowed with a journal, whose
   * promise is that nothing is lost.
   */
  DROP_COUNTED
}

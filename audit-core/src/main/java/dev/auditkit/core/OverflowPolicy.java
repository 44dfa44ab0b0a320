package dev.auditkit.core;

/** What an {@link Delivery#ASYNC} {@link AuditLog} does when its queue is full. */
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

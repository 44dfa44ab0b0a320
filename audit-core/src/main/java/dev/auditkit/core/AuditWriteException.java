package dev.auditkit.core;

/** A store or sink could not write events. Nothing of the failed batch is known to be stored. */
public class AuditWriteException extends AuditException {
  private final boolean refused;

  public AuditWriteException(String message, Throwable cause) {
    this(message, cause, false);
  }

  public AuditWriteException(String message) {
    super(message);
    this.refused = false;
  }

  /**
   * @param refused whether the store refused the events for what they hold (see {@link #refused()})
   */
  public AuditWriteException(String message, Throwable cause, boolean refused) {
    super(message, cause);
    this.refused = refused;
  }

  /**
   * True when the store refused the events themselves (a constraint or a data error), so writing
   * the same events again cannot succeed; false when it failed for another reason (down, busy,
   * unreachable), where a retry may. An ASYNC {@link AuditLog} retries the latter; of the former it
   * sets the refused events aside (by halving the batch until each refused one stands alone), ships
   * the rest, and offers the refused ones again later: see {@link DeliveryHealth#refused()}.
   */
  public boolean refused() {
    return refused;
  }
}

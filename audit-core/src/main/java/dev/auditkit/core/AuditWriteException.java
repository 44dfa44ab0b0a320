package dev.auditkit.core;

/** A store or sink could not write events. Nothing of the failed batch is known to be stored. */
public class AuditWriteException extends AuditException {
  public AuditWriteException(String message, Throwable cause) {
    super(message, cause);
  }

  public AuditWriteException(String message) {
    super(message);
  }
}

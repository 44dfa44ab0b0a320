package dev.auditkit.core;

/** Base of every exception auditkit throws. Unchecked: audit failures are not recoverable locally. */
public abstract class AuditException extends RuntimeException {
  protected AuditException(String message) {
    super(message);
  }

  protected AuditException(String message, Throwable cause) {
    super(message, cause);
  }
}

package dev.auditkit.core.chain;

import dev.auditkit.core.AuditException;

/** An export file cannot be read: I/O failure, wrong format, or a malformed line (named). */
public final class ChainExportException extends AuditException {
  public ChainExportException(String message) {
    super(message);
  }

  public ChainExportException(String message, Throwable cause) {
    super(message, cause);
  }
}

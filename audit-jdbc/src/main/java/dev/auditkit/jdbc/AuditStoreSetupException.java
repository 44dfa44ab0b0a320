package dev.auditkit.jdbc;

import dev.auditkit.core.AuditException;

/**
 * The JDBC store cannot start: the database is not supported, the audit schema is newer than this
 * version of auditkit knows, a migration failed, or a configured name is invalid.
 */
public final class AuditStoreSetupException extends AuditException {
  public AuditStoreSetupException(String message) {
    super(message);
  }

  public AuditStoreSetupException(String message, Throwable cause) {
    super(message, cause);
  }
}

package dev.auditkit.core;

/**
 * The journal directory is already used by another {@link AuditLog}, in this or another process.
 * Two writers on one journal would replay and delete each other's records, so this is refused.
 */
public class JournalLockedException extends AuditException {
  public JournalLockedException(String message) {
    super(message);
  }
}

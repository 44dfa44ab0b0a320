package dev.auditkit.jdbc.internal;

/**
 * A stored row holds no event this version can read: a JSON column that does not parse or has the
 * wrong shape, a name that is no constant of its enum. The row's content is at fault, not the
 * database or auditkit's code, so the sealer may quarantine it and verify may report it as modified
 * (see {@link EventReader#isRowProblem}).
 */
public final class MalformedRowException extends RuntimeException {
  public MalformedRowException(String message) {
    super(message);
  }

  public MalformedRowException(String message, Throwable cause) {
    super(message, cause);
  }
}

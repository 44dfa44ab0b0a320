package dev.auditkit.core.internal;

/** A host value could not be read or converted (a getter threw, Jackson refused, nesting too deep). */
public final class ValueAccessException extends RuntimeException {
  private final String where;

  ValueAccessException(String where, Throwable cause) {
    super(describe(cause), cause);
    this.where = where;
  }

  ValueAccessException(String where, String message) {
    super(message);
    this.where = where;
  }

  /** The property or path that failed; may be empty for the root. */
  public String where() {
    return where;
  }

  private static String describe(Throwable t) {
    Throwable c = t;
    while (c.getCause() != null && c.getCause() != c) {
      c = c.getCause();
    }
    String m = c.getMessage();
    return c.getClass().getSimpleName() + (m == null ? "" : ": " + Text.singleLine(m, 200));
  }
}

package dev.auditkit.core;

/**
 * A programmer error in how an event was described: a required field is missing or blank, an
 * action uses characters outside the allowed set, metadata is not a JSON object. The message
 * and {@link #field()} name the offending field.
 */
public final class InvalidAuditEventException extends AuditException {
  private final String field;

  public InvalidAuditEventException(String field, String problem) {
    super(field + ": " + problem);
    this.field = field;
  }

  /** The name of the field that was rejected, such as {@code action} or {@code resource.type}. */
  public String field() {
    return field;
  }
}

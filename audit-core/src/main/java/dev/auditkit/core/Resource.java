package dev.auditkit.core;

import java.util.Objects;

/** The record an action was performed on: a type such as {@code invoice}, an id, a display label. */
public final class Resource {
  private final String type;
  private final String id;
  private final String label;

  private Resource(String type, String id, String label) {
    this.type = type;
    this.id = id;
    this.label = label;
  }

  /** A resource of this type without a specific id (a list, a search, a setting). */
  public static Resource of(String type) {
    return of(type, null);
  }

  /**
   * A resource; {@code type} is required and must not be blank, {@code id} may be null.
   *
   * @throws InvalidAuditEventException naming {@code resource.type}
   */
  public static Resource of(String type, String id) {
    if (type == null || type.isBlank()) {
      throw new InvalidAuditEventException("resource.type", "must not be null or blank");
    }
    return new Resource(type, id, null);
  }

  public String type() {
    return type;
  }

  /** The record's id, or null. */
  public String id() {
    return id;
  }

  /** A human-readable label such as an invoice number, or null. */
  public String label() {
    return label;
  }

  /** A copy with this label. */
  public Resource label(String label) {
    return new Resource(type, id, label);
  }

  Resource withAll(String type, String id, String label) {
    return new Resource(type, id, label);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Resource r
        && type.equals(r.type)
        && Objects.equals(id, r.id)
        && Objects.equals(label, r.label);
  }

  @Override
  public int hashCode() {
    return Objects.hash(type, id, label);
  }

  @Override
  public String toString() {
    return type + (id == null ? "" : "/" + id);
  }
}

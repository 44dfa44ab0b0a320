package dev.auditkit.core.internal;

/** How the differ treats a Java class; decided once per class (see {@link Values#kind}). */
public enum ValueKind {
  STRING(Shape.SCALAR),
  INTEGRAL(Shape.SCALAR),
  DECIMAL(Shape.SCALAR),
  FLOATING(Shape.SCALAR),
  BIG_INTEGER(Shape.SCALAR),
  BOOLEAN(Shape.SCALAR),
  ENUM(Shape.SCALAR),
  /** Written as its {@code toString()}: Character, UUID, URI. */
  TO_STRING(Shape.SCALAR),
  /** A point in time: Instant, OffsetDateTime, ZonedDateTime, Date, Calendar; compared and written in UTC. */
  INSTANT(Shape.SCALAR),
  /** A Jackson value node (text, number, boolean, binary). */
  JSON_VALUE(Shape.SCALAR),
  MAP(Shape.OBJECT),
  BEAN(Shape.OBJECT),
  JSON_OBJECT(Shape.OBJECT),
  LIST(Shape.ARRAY),
  COLLECTION(Shape.ARRAY),
  OBJECT_ARRAY(Shape.ARRAY),
  PRIMITIVE_ARRAY(Shape.ARRAY),
  JSON_ARRAY(Shape.ARRAY),
  /** Optional and its primitive cousins: unwrapped before comparing. */
  OPTIONAL(Shape.SCALAR),
  /** Anything else: converted with Jackson, then compared as the resulting tree. */
  JACKSON(Shape.SCALAR);

  /** The structural role of a value. */
  public enum Shape { SCALAR, OBJECT, ARRAY }

  private final Shape shape;

  ValueKind(Shape shape) {
    this.shape = shape;
  }

  public Shape shape() {
    return shape;
  }
}

package dev.auditkit.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.auditkit.core.internal.Json;
import java.util.Objects;

/**
 * One changed field: its path (such as {@code status} or {@code address.city}) and its values
 * before and after, as JSON. A field that did not exist is {@link NullNode}, never Java null.
 */
public final class FieldChange {
  private final String path;
  private final JsonNode from;
  private final JsonNode to;

  private FieldChange(String path, JsonNode from, JsonNode to) {
    this.path = path;
    this.from = from;
    this.to = to;
  }

  /**
   * A change of {@code path} from one value to another.
   *
   * @throws InvalidAuditEventException if the path is null or blank
   */
  public static FieldChange of(String path, JsonNode from, JsonNode to) {
    if (path == null || path.isBlank()) {
      throw new InvalidAuditEventException("changes.path", "must not be null or blank");
    }
    return new FieldChange(path, copy(from), copy(to));
  }

  private static JsonNode copy(JsonNode node) {
    return node == null || node.isMissingNode() ? NullNode.getInstance() : Json.toTree(node, "changes"); // (POJOs in it too)
  }

  public String path() {
    return path;
  }

  /** The value before, a copy; {@link NullNode} when the field was absent. */
  public JsonNode from() {
    return from.deepCopy();
  }

  /** The value after, a copy; {@link NullNode} when the field was removed. */
  public JsonNode to() {
    return to.deepCopy();
  }

  /** Internal: the stored node without a defensive copy; callers must not mutate it. */
  JsonNode fromNode() {
    return from;
  }

  JsonNode toNode() {
    return to;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FieldChange c && path.equals(c.path) && from.equals(c.from) && to.equals(c.to);
  }

  @Override
  public int hashCode() {
    return Objects.hash(path, from, to);
  }

  @Override
  public String toString() {
    return path + ": " + from + " -> " + to;
  }
}

package dev.auditkit.core;

import com.fasterxml.jackson.databind.JsonNode;
import dev.auditkit.core.internal.DiffWalker;
import dev.auditkit.core.internal.RuleTree;
import dev.auditkit.core.internal.ValueAccessException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Compares two versions of a record and lists what changed as {@link FieldChange}s. Immutable and
 * thread-safe; build one per application and share it ({@link AuditLog} uses
 * {@link #defaults()} unless given another).
 *
 * <p>Values may have any shape a host has: POJOs and records (read through their getters as Jackson
 * sees them, with per-class accessors cached), Maps, Jackson trees, collections and arrays,
 * {@code java.time} types, {@code BigDecimal}, enums, {@code Optional}, null.
 * <ul>
 *   <li>Objects are compared property by property, giving nested paths such as
 *       {@code address.city}; a property that appears or disappears is a change from or to null
 *       (a null property and a missing one are the same).
 *   <li>Lists are compared by position ({@code tags[2]}), or by an identity key configured with
 *       {@link DiffRules.Builder#identityKey} ({@code items[id=7].qty}).
 *   <li>Numbers compare by value ({@code 42.5} equals {@code 42.50}, {@code 7} equals {@code 7L});
 *       points in time compare as instants and are written in UTC, and ISO-8601 strings with an
 *       offset compare as the instants they denote.
 *   <li>Where the two sides have different shapes, or a value is not an object or list, the whole
 *       value is one change. A change to the root of such a value has the path {@code $}.
 *   <li>At the root, a null side counts as empty: {@code diff(null, record)} lists every initial
 *       property from null, which is what {@link AuditLog#created} records.
 * </ul>
 * Identical inputs give an empty list; {@link AuditLog#updated} still records such an update (with
 * no changes), because somebody saved the record.
 *
 * <p>Rules ({@link DiffRules}) can be set for all types and per resource type; the
 * {@link AuditIgnore} and {@link AuditMasked} annotations on host classes do the same per property.
 * Changes come in walk order (properties in declaration order, added ones last); {@link AuditEvent}
 * sorts them by path.
 *
 * <pre>{@code
 * ChangeDiffer differ = ChangeDiffer.builder()
 *     .rules(DiffRules.builder().ignore("**.updatedAt", "**.version").build())
 *     .rules("Job", DiffRules.builder().identityKey("items", "id").mask("gateCode").build())
 *     .build();
 * differ.diff("Job", before, after);   // [items[id=7].qty: 1 -> 2, status: "OPEN" -> "DONE"]
 * }</pre>
 */
public final class ChangeDiffer {
  private static final ChangeDiffer DEFAULTS = builder().build();

  private final DiffRules global;
  private final RuleTree globalTree;
  private final Map<String, RuleTree> byType;

  private ChangeDiffer(Builder b) {
    this.global = b.global;
    this.globalTree = b.global.compile();
    Map<String, RuleTree> m = new HashMap<>();
    b.byType.forEach((type, rules) -> m.put(type, b.global.and(rules).compile()));
    this.byType = Map.copyOf(m);
  }

  /** No rules; annotations on host classes still apply. */
  public static ChangeDiffer defaults() {
    return DEFAULTS;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * The changes from {@code before} to {@code after} under the global rules.
   *
   * @throws InvalidAuditEventException naming {@code before} or {@code after} and the path when a
   *     value cannot be read (a getter threw, nesting deeper than 256 levels such as a cycle)
   */
  public List<FieldChange> diff(Object before, Object after) {
    return run(globalTree, before, after);
  }

  /**
   * The changes from {@code before} to {@code after} under the rules for {@code resourceType}
   * (the global rules when the type has none of its own).
   *
   * @throws InvalidAuditEventException as {@link #diff(Object, Object)}
   */
  public List<FieldChange> diff(String resourceType, Object before, Object after) {
    return run(rulesFor(resourceType), before, after);
  }

  /**
   * The JSON snapshot of a value under the rules for {@code resourceType}: ignored properties left
   * out, masked ones {@link RedactionPolicy#REDACTED}, times in UTC. Null gives JSON null.
   *
   * @throws InvalidAuditEventException naming {@code value} and the path when it cannot be read
   */
  public JsonNode snapshot(String resourceType, Object value) {
    return snapshot(resourceType, value, "value");
  }

  JsonNode snapshot(String resourceType, Object value, String field) {
    try {
      return DiffWalker.snapshot(value, rulesFor(resourceType), field);
    } catch (ValueAccessException e) {
      throw invalid(e, field);
    }
  }

  /** The rules for every resource type. */
  public DiffRules globalRules() {
    return global;
  }

  private RuleTree rulesFor(String resourceType) {
    RuleTree t = resourceType == null ? null : byType.get(resourceType);
    return t == null ? globalTree : t;
  }

  private static List<FieldChange> run(RuleTree rules, Object before, Object after) {
    try {
      return DiffWalker.diff(before, after, rules);
    } catch (ValueAccessException e) {
      throw invalid(e, "value");
    }
  }

  private static InvalidAuditEventException invalid(ValueAccessException e, String fallback) {
    String where = e.where() == null || e.where().isEmpty() ? fallback : e.where();
    InvalidAuditEventException ex = new InvalidAuditEventException(where, "could not be read: " + e.getMessage());
    ex.initCause(e.getCause() == null ? e : e.getCause());
    return ex;
  }

  /** Configures a {@link ChangeDiffer}. */
  public static final class Builder {
    private DiffRules global = DiffRules.none();
    private final Map<String, DiffRules> byType = new HashMap<>();

    private Builder() {}

    /** Rules for every resource type. */
    public Builder rules(DiffRules rules) {
      this.global = Objects.requireNonNull(rules, "rules");
      return this;
    }

    /**
     * Rules for one resource type, added on top of the global ones (see {@link DiffRules#and}).
     *
     * @throws IllegalArgumentException when {@code resourceType} is null or blank
     */
    public Builder rules(String resourceType, DiffRules rules) {
      if (resourceType == null || resourceType.isBlank()) {
        throw new IllegalArgumentException("resourceType must not be null or blank");
      }
      byType.put(resourceType, Objects.requireNonNull(rules, "rules"));
      return this;
    }

    public ChangeDiffer build() {
      return new ChangeDiffer(this);
    }
  }
}

package dev.auditkit.core;

import dev.auditkit.core.internal.RuleTree;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What {@link ChangeDiffer} records of a value: properties to ignore, to record exclusively, to
 * mask, and identity keys for lists. Immutable.
 *
 * <p>Rules name paths: property names separated by dots ({@code address.city}). {@code *} matches
 * any one name and {@code **} any number of names, so {@code **.updatedAt} ignores {@code updatedAt}
 * at every depth. List positions are not written: {@code items.qty} covers {@code items[3].qty}.
 *
 * <pre>{@code
 * DiffRules rules = DiffRules.builder()
 *     .ignore("updatedAt", "version")
 *     .mask("gateCode")
 *     .identityKey("items", "id")          // changes read items[id=7].qty
 *     .build();
 * }</pre>
 */
public final class DiffRules {
  private static final DiffRules NONE = new Builder().build();

  private final List<String> ignore;
  private final List<String> only;
  private final List<String> mask;
  private final Map<String, String> identityKeys;

  private DiffRules(Builder b) {
    this.ignore = Collections.unmodifiableList(new ArrayList<>(b.ignore));
    this.only = Collections.unmodifiableList(new ArrayList<>(b.only));
    this.mask = Collections.unmodifiableList(new ArrayList<>(b.mask));
    this.identityKeys = Collections.unmodifiableMap(new LinkedHashMap<>(b.identityKeys));
  }

  /** No rules: everything is compared, lists by position. */
  public static DiffRules none() {
    return NONE;
  }

  public static Builder builder() {
    return new Builder();
  }

  public List<String> ignored() {
    return ignore;
  }

  public List<String> only() {
    return only;
  }

  public List<String> masked() {
    return mask;
  }

  /** List path pattern → name of the property that identifies an item. */
  public Map<String, String> identityKeys() {
    return identityKeys;
  }

  /**
   * These rules with {@code more} on top: ignored and masked paths are joined, identity keys of
   * {@code more} win, and {@code more}'s only-list replaces this one's when it is not empty.
   */
  public DiffRules and(DiffRules more) {
    Objects.requireNonNull(more, "more");
    Builder b = new Builder();
    b.ignore.addAll(ignore);
    b.ignore.addAll(more.ignore);
    b.only.addAll(more.only.isEmpty() ? only : more.only);
    b.mask.addAll(mask);
    b.mask.addAll(more.mask);
    b.identityKeys.putAll(identityKeys);
    b.identityKeys.putAll(more.identityKeys);
    return b.build();
  }

  RuleTree compile() {
    return RuleTree.compile(ignore, only, mask, identityKeys);
  }

  @Override
  public String toString() {
    return "DiffRules{ignore=" + ignore + ", only=" + only + ", mask=" + mask + ", identityKeys=" + identityKeys + "}";
  }

  /** Collects rules; each method checks its patterns at once. */
  public static final class Builder {
    private final List<String> ignore = new ArrayList<>();
    private final List<String> only = new ArrayList<>();
    private final List<String> mask = new ArrayList<>();
    private final Map<String, String> identityKeys = new LinkedHashMap<>();

    private Builder() {}

    /**
     * Paths never compared nor written into snapshots, e.g. {@code updatedAt}, {@code version}.
     *
     * @throws IllegalArgumentException for a null, blank or malformed pattern
     */
    public Builder ignore(String... paths) {
      ignore.addAll(checked(paths));
      return this;
    }

    /**
     * Record only these paths (and everything below them); all others are left out of changes and
     * snapshots.
     *
     * @throws IllegalArgumentException for a null, blank or malformed pattern
     */
    public Builder only(String... paths) {
      only.addAll(checked(paths));
      return this;
    }

    /**
     * Paths whose values are never recorded: a change is recorded with both values
     * {@link RedactionPolicy#REDACTED}.
     *
     * @throws IllegalArgumentException for a null, blank or malformed pattern
     */
    public Builder mask(String... paths) {
      mask.addAll(checked(paths));
      return this;
    }

    /**
     * Compares the list at {@code listPath} item by item matched on property {@code keyProperty},
     * so changes read {@code items[id=7].qty} and reordering is not a change. When an item lacks the
     * key or two items share one, that list is compared by position instead.
     *
     * @throws IllegalArgumentException for a malformed pattern or a blank or dotted key
     */
    public Builder identityKey(String listPath, String keyProperty) {
      RuleTree.segments(listPath);
      if (keyProperty == null || keyProperty.isBlank() || keyProperty.contains(".")) {
        throw new IllegalArgumentException("identity key must be a single property name, got " + keyProperty);
      }
      identityKeys.put(listPath, keyProperty);
      return this;
    }

    private static List<String> checked(String... paths) {
      Objects.requireNonNull(paths, "paths");
      List<String> out = new ArrayList<>(paths.length);
      for (String p : paths) {
        RuleTree.segments(p);
        out.add(p);
      }
      return out;
    }

    public DiffRules build() {
      return new DiffRules(this);
    }
  }
}

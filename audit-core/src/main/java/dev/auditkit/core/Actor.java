package dev.auditkit.core;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Who performed an action. Immutable: {@link #role(String)}, {@link #email(String)} and the other
 * one-argument methods return a copy with that field set.
 *
 * <pre>{@code Actor.user("u-42").role("admin").email("a@x.io").extraId("workerId", "w-7")}</pre>
 */
public final class Actor {
  private static final Actor SYSTEM = new Actor(ActorType.SYSTEM, "system", null, null, null, Map.of());
  private static final Actor ANONYMOUS =
      new Actor(ActorType.ANONYMOUS, "anonymous", null, null, null, Map.of());

  private final ActorType type;
  private final String id;
  private final String role;
  private final String email;
  private final String org;
  private final Map<String, String> extraIds;

  private Actor(ActorType type, String id, String role, String email, String org, Map<String, String> extraIds) {
    this.type = type;
    this.id = id;
    this.role = role;
    this.email = email;
    this.org = org;
    this.extraIds = extraIds;
  }

  /** A human user with the host's user id. */
  public static Actor user(String id) {
    return new Actor(ActorType.USER, requireId(id), null, null, null, Map.of());
  }

  /** A service or API client with its client id. */
  public static Actor service(String id) {
    return new Actor(ActorType.SERVICE, requireId(id), null, null, null, Map.of());
  }

  /** The host application itself (id {@code system}). */
  public static Actor system() {
    return SYSTEM;
  }

  /** An unauthenticated caller (id {@code anonymous}). */
  public static Actor anonymous() {
    return ANONYMOUS;
  }

  /** An actor of any type; used by stores when reading events back. */
  public static Actor of(ActorType type, String id) {
    Objects.requireNonNull(type, "type");
    return new Actor(type, requireId(id), null, null, null, Map.of());
  }

  private static String requireId(String id) {
    if (id == null || id.isBlank()) {
      throw new InvalidAuditEventException("actor.id", "must not be null or blank");
    }
    return id;
  }

  public ActorType type() {
    return type;
  }

  public String id() {
    return id;
  }

  /** The actor's role at the time of the action, or null. */
  public String role() {
    return role;
  }

  public String email() {
    return email;
  }

  /** The actor's own organisation (which may differ from the event's tenant), or null. */
  public String org() {
    return org;
  }

  /** Further identifiers of the actor, such as {@code workerId}, sorted by key. Never null. */
  public Map<String, String> extraIds() {
    return extraIds;
  }

  public Actor role(String role) {
    return new Actor(type, id, role, email, org, extraIds);
  }

  public Actor email(String email) {
    return new Actor(type, id, role, email, org, extraIds);
  }

  public Actor org(String org) {
    return new Actor(type, id, role, email, org, extraIds);
  }

  /** A copy with one more extra id; a null value removes the key. */
  public Actor extraId(String key, String value) {
    if (key == null || key.isBlank()) {
      throw new InvalidAuditEventException("actor.extraIds", "key must not be null or blank");
    }
    TreeMap<String, String> copy = new TreeMap<>(extraIds);
    if (value == null) {
      copy.remove(key);
    } else {
      copy.put(key, value);
    }
    return new Actor(type, id, role, email, org, Collections.unmodifiableMap(copy));
  }

  /** A copy with these extra ids replacing the current ones. */
  public Actor extraIds(Map<String, String> ids) {
    TreeMap<String, String> copy = new TreeMap<>();
    ids.forEach((k, v) -> {
      if (k == null || k.isBlank()) {
        throw new InvalidAuditEventException("actor.extraIds", "key must not be null or blank");
      }
      if (v != null) {
        copy.put(k, v);
      }
    });
    return new Actor(type, id, role, email, org, Collections.unmodifiableMap(copy));
  }

  /** Internal: a copy with every field replaced, used by the sanitiser. */
  Actor withAll(String id, String role, String email, String org, Map<String, String> extraIds) {
    return new Actor(type, id, role, email, org, extraIds);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Actor a
        && type == a.type
        && id.equals(a.id)
        && Objects.equals(role, a.role)
        && Objects.equals(email, a.email)
        && Objects.equals(org, a.org)
        && extraIds.equals(a.extraIds);
  }

  @Override
  public int hashCode() {
    return Objects.hash(type, id, role, email, org, extraIds);
  }

  @Override
  public String toString() {
    return "Actor{" + type + " " + id + (role == null ? "" : " role=" + role) + "}";
  }
}

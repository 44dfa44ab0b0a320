package dev.auditkit.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.auditkit.core.internal.EventNodes;
import dev.auditkit.core.internal.IpAddresses;
import dev.auditkit.core.internal.Json;
import dev.auditkit.core.internal.Text;
import dev.auditkit.core.internal.UtcTimes;
import dev.auditkit.core.internal.UuidV7;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * One audited action: who did what, to which record, when, from where, and what changed.
 * Immutable; build one with {@link #builder()}. Every event is validated and sanitised when it is
 * built (see {@link AuditLimits}), so an {@code AuditEvent} that exists is safe to store.
 *
 * <p>Optional fields return null when absent; JSON fields return copies, so callers cannot change
 * an event after it was built.
 */
public final class AuditEvent {
  /** Metadata key under which auditkit records notes about values it had to drop. */
  public static final String NOTES_KEY = "_auditkit_notes";

  private static final Pattern ACTION = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:/-]*");
  private static final UuidV7 DEFAULT_IDS = new UuidV7(Clock.systemUTC());

  static {
    // copy-free read access for the canonical encoder (hash chain); see EventNodes
    EventNodes.install(new EventNodes.Access() {
      @Override
      public ObjectNode metadata(AuditEvent e) {
        return e.metadata;
      }

      @Override
      public JsonNode oldValue(AuditEvent e) {
        return e.oldValue;
      }

      @Override
      public JsonNode newValue(AuditEvent e) {
        return e.newValue;
      }

      @Override
      public JsonNode from(FieldChange c) {
        return c.fromNode();
      }

      @Override
      public JsonNode to(FieldChange c) {
        return c.toNode();
      }

      @Override
      public void adoptJson(Builder b, JsonNode oldValue, JsonNode newValue, ObjectNode metadata) {
        b.replaceJson(oldValue, newValue, b.changes, metadata == null ? Json.nodes().objectNode() : metadata);
      }

      @Override
      public AuditEvent buildOwned(Builder b, AuditLimits limits) {
        return b.buildPrivate(limits, Clock.systemUTC(), DEFAULT_IDS);
      }

      @Override
      public AuditEvent buildExact(Builder b) {
        b.exact = true;
        return b.buildPrivate(AuditLimits.unlimited(), Clock.systemUTC(), DEFAULT_IDS);
      }
    });
  }

  private final UUID id;
  private final Instant occurredAt;
  private final String tenantId;
  private final Actor actor;
  private final String action;
  private final EventKind kind;
  private final Outcome outcome;
  private final Resource resource;
  private final String fromState;
  private final String toState;
  private final List<FieldChange> changes;
  private final JsonNode oldValue;
  private final JsonNode newValue;
  private final ObjectNode metadata;
  private final RequestInfo request;
  private final SourceInfo source;
  private final Seal seal;

  private AuditEvent(Builder b) {
    this.id = b.id;
    this.occurredAt = b.occurredAt;
    this.tenantId = b.tenantId;
    this.actor = b.actor;
    this.action = b.action;
    this.kind = b.kind;
    this.outcome = b.outcome;
    this.resource = b.resource;
    this.fromState = b.fromState;
    this.toState = b.toState;
    this.changes = b.changes;
    this.oldValue = b.oldValue;
    this.newValue = b.newValue;
    this.metadata = b.metadata;
    this.request = b.request;
    this.source = b.source;
    this.seal = b.seal;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding every field of this event, to derive a modified copy. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.id = id;
    b.occurredAt = occurredAt;
    b.tenantId = tenantId;
    b.actor = actor;
    b.action = action;
    b.kind = kind;
    b.outcome = outcome;
    b.resource = resource;
    b.fromState = fromState;
    b.toState = toState;
    b.changes = new ArrayList<>(changes);
    b.oldValue = oldValue == null ? null : oldValue.deepCopy();
    b.newValue = newValue == null ? null : newValue.deepCopy();
    b.metadata = metadata.deepCopy();
    b.request = request;
    b.source = source;
    b.seal = seal;
    return b;
  }

  /** A UUIDv7 made by the library (or given by the writer for idempotent replays). */
  public UUID id() {
    return id;
  }

  /** When the action happened, in UTC, truncated to microseconds. */
  public Instant occurredAt() {
    return occurredAt;
  }

  /** The tenant whose data was touched, or null for platform-level events. */
  public String tenantId() {
    return tenantId;
  }

  public Actor actor() {
    return actor;
  }

  public String action() {
    return action;
  }

  public EventKind kind() {
    return kind;
  }

  public Outcome outcome() {
    return outcome;
  }

  public Resource resource() {
    return resource;
  }

  public String fromState() {
    return fromState;
  }

  public String toState() {
    return toState;
  }

  /** Field-level changes, in path order. Never null. */
  public List<FieldChange> changes() {
    return changes;
  }

  /** Snapshot before the action (a copy), or null. */
  public JsonNode oldValue() {
    return oldValue == null ? null : oldValue.deepCopy();
  }

  /** Snapshot after the action (a copy), or null. */
  public JsonNode newValue() {
    return newValue == null ? null : newValue.deepCopy();
  }

  /** Free-form details as a JSON object (a copy). Never null; empty when none were given. */
  public ObjectNode metadata() {
    return metadata.deepCopy();
  }

  /** Never null; {@link RequestInfo#isEmpty()} when the event did not come from a request. */
  public RequestInfo request() {
    return request;
  }

  /** Never null; {@link SourceInfo#isEmpty()} when not configured. */
  public SourceInfo source() {
    return source;
  }

  /**
   * The event's place in its hash chain: present on events read from a chain (a store's {@code
   * chain(id).events()}, verification, an export), empty on events being written and on those a
   * store's plain queries return.
   */
  public Optional<Seal> seal() {
    return Optional.ofNullable(seal);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof AuditEvent e
        && id.equals(e.id)
        && occurredAt.equals(e.occurredAt)
        && Objects.equals(tenantId, e.tenantId)
        && actor.equals(e.actor)
        && action.equals(e.action)
        && kind == e.kind
        && outcome == e.outcome
        && resource.equals(e.resource)
        && Objects.equals(fromState, e.fromState)
        && Objects.equals(toState, e.toState)
        && changes.equals(e.changes)
        && Objects.equals(oldValue, e.oldValue)
        && Objects.equals(newValue, e.newValue)
        && metadata.equals(e.metadata)
        && request.equals(e.request)
        && source.equals(e.source)
        && Objects.equals(seal, e.seal);
  }

  @Override
  public int hashCode() {
    return id.hashCode();
  }

  @Override
  public String toString() {
    return "AuditEvent{" + id + " " + occurredAt + " tenant=" + tenantId + " " + actor.type() + ":" + actor.id()
        + " " + action + " " + resource + " " + outcome + "}";
  }

  /**
   * Describes an event. Setters only record; {@link #build()} validates, fills defaults and
   * sanitises. Required: {@link #action(String) action} and {@link #resource(String, String)
   * resource}. Defaults: a new UUIDv7 id, the current time, {@link Actor#anonymous()},
   * {@link EventKind#OTHER}, {@link Outcome#SUCCESS}.
   */
  public static final class Builder {
    private UUID id;
    private Instant occurredAt;
    private String tenantId;
    private Actor actor;
    private String action;
    private EventKind kind;
    private Outcome outcome;
    private Resource resource;
    private String fromState;
    private String toState;
    private List<FieldChange> changes = new ArrayList<>();
    private JsonNode oldValue;
    /** Whether the JSON values are cleaned already (by the redaction policy), see {@link #replaceCleanJson}. */
    private boolean jsonClean;
    private JsonNode newValue;
    private ObjectNode metadata = Json.nodes().objectNode();
    private RequestInfo request = RequestInfo.empty();
    private SourceInfo source = SourceInfo.empty();
    private Seal seal;
    /** Refuse, rather than clean up, any value the model would change (an event read back to hash it). */
    private boolean exact;

    private Builder() {}

    /** Sets the id; normally left to the library. Writers replaying events keep their ids. */
    public Builder id(UUID id) {
      this.id = id;
      return this;
    }

    public Builder occurredAt(Instant occurredAt) {
      this.occurredAt = occurredAt;
      return this;
    }

    public Builder tenantId(String tenantId) {
      this.tenantId = tenantId;
      return this;
    }

    public Builder actor(Actor actor) {
      this.actor = actor;
      return this;
    }

    public Builder action(String action) {
      this.action = action;
      return this;
    }

    public Builder kind(EventKind kind) {
      this.kind = kind;
      return this;
    }

    public Builder outcome(Outcome outcome) {
      this.outcome = outcome;
      return this;
    }

    /**
     * The record acted on.
     *
     * @throws InvalidAuditEventException naming {@code resource.type} when type is null or blank
     */
    public Builder resource(String type, String id) {
      this.resource = Resource.of(type, id);
      return this;
    }

    public Builder resource(Resource resource) {
      this.resource = resource;
      return this;
    }

    public Builder fromState(String fromState) {
      this.fromState = fromState;
      return this;
    }

    public Builder toState(String toState) {
      this.toState = toState;
      return this;
    }

    /** Replaces the field changes. */
    public Builder changes(List<FieldChange> changes) {
      this.changes = new ArrayList<>(Objects.requireNonNull(changes, "changes"));
      this.jsonClean = false;
      return this;
    }

    public Builder addChange(FieldChange change) {
      this.changes.add(Objects.requireNonNull(change, "change"));
      this.jsonClean = false;
      return this;
    }

    /** The snapshot before: any value Jackson can convert (POJO, record, Map, JsonNode). */
    public Builder oldValue(Object before) {
      this.oldValue = before == null ? null : Json.toTree(before, "oldValue");
      this.jsonClean = false;
      return this;
    }

    /** The snapshot after: any value Jackson can convert (POJO, record, Map, JsonNode). */
    public Builder newValue(Object after) {
      this.newValue = after == null ? null : Json.toTree(after, "newValue");
      this.jsonClean = false;
      return this;
    }

    /**
     * Replaces the metadata with a JSON object: a Map, a POJO or record, or an ObjectNode.
     *
     * @throws InvalidAuditEventException naming {@code metadata} for anything that is not an object
     */
    public Builder metadata(Object metadata) {
      this.metadata = Json.toObject(metadata, "metadata");
      this.jsonClean = false;
      return this;
    }

    /** Adds (or replaces) one metadata entry. */
    public Builder metadata(String key, Object value) {
      if (key == null || key.isBlank()) {
        throw new InvalidAuditEventException("metadata", "key must not be null or blank");
      }
      this.metadata.set(key, Json.toTree(value, "metadata." + key));
      this.jsonClean = false;
      return this;
    }

    public Builder request(RequestInfo request) {
      this.request = request == null ? RequestInfo.empty() : request;
      return this;
    }

    public Builder ipAddress(String ip) {
      this.request = request.toBuilder().ip(ip).build();
      return this;
    }

    public Builder userAgent(String userAgent) {
      this.request = request.toBuilder().userAgent(userAgent).build();
      return this;
    }

    public Builder requestId(String requestId) {
      this.request = request.toBuilder().requestId(requestId).build();
      return this;
    }

    public Builder source(SourceInfo source) {
      this.source = source == null ? SourceInfo.empty() : source;
      return this;
    }

    /** For stores reading sealed events back; writers never set this. */
    public Builder seal(Seal seal) {
      this.seal = seal;
      return this;
    }

    // ---- read access for AuditLog, which fills gaps from the context ----

    String tenantId() {
      return tenantId;
    }

    Actor actor() {
      return actor;
    }

    Resource resourceValue() {
      return resource;
    }

    String fromStateValue() {
      return fromState;
    }

    String toStateValue() {
      return toState;
    }

    RequestInfo request() {
      return request;
    }

    SourceInfo source() {
      return source;
    }

    /** The metadata itself, to change in place: it may not be clean afterwards. */
    ObjectNode metadataNode() {
      jsonClean = false;
      return metadata;
    }

    JsonNode oldValueNode() {
      return oldValue;
    }

    JsonNode newValueNode() {
      return newValue;
    }

    List<FieldChange> changeList() {
      return changes;
    }

    void replaceJson(JsonNode oldValue, JsonNode newValue, List<FieldChange> changes, ObjectNode metadata) {
      this.oldValue = oldValue;
      this.newValue = newValue;
      this.changes = changes;
      this.metadata = metadata;
      this.jsonClean = false;
    }

    /**
     * Like {@link #replaceJson} with values cleaned already ({@link Json#sanitize}): building does
     * not clean them a second time. Any later change to them clears this.
     */
    void replaceCleanJson(JsonNode oldValue, JsonNode newValue, List<FieldChange> changes, ObjectNode metadata) {
      replaceJson(oldValue, newValue, changes, metadata);
      this.jsonClean = true;
    }

    /** A deep copy, so that AuditLog never changes the caller's builder. */
    Builder copy() {
      // the event is only a carrier here: toBuilder() makes the deep copy
      return new AuditEvent(this).toBuilder();
    }

    /**
     * Validates, fills defaults and sanitises with {@link AuditLimits#defaults()} and the system
     * UTC clock.
     *
     * @throws InvalidAuditEventException naming the field when a required one is missing or an
     *     action is malformed
     */
    public AuditEvent build() {
      return build(AuditLimits.defaults(), Clock.systemUTC(), DEFAULT_IDS);
    }

    /**
     * Like {@link #build()} with other limits. Stores rebuilding events they read use
     * {@link AuditLimits#unlimited()}: sanitising an already built event changes nothing.
     */
    public AuditEvent build(AuditLimits limits) {
      return build(Objects.requireNonNull(limits, "limits"), Clock.systemUTC(), DEFAULT_IDS);
    }

    AuditEvent build(AuditLimits limits, Clock clock, UuidV7 ids) {
      validateRequired();
      return copy().complete(limits, clock, ids);
    }

    /**
     * Like {@link #build(AuditLimits, Clock, UuidV7)} for a builder that nobody else holds (the
     * private copy {@code AuditLog} makes of the caller's): completes this builder itself instead
     * of a copy of it, which saves a deep copy of every JSON value per event.
     */
    AuditEvent buildPrivate(AuditLimits limits, Clock clock, UuidV7 ids) {
      validateRequired();
      return complete(limits, clock, ids);
    }

    private void validateRequired() {
      validateAction();
      if (resource == null) {
        throw new InvalidAuditEventException("resource.type", "must not be null or blank");
      }
    }

    private AuditEvent complete(AuditLimits limits, Clock clock, UuidV7 ids) {
      Builder b = this;
      List<String> notes = new ArrayList<>();
      if (b.id == null) {
        b.id = ids.next();
      }
      b.occurredAt = (b.occurredAt == null ? clock.instant() : b.occurredAt).truncatedTo(ChronoUnit.MICROS);
      if (!UtcTimes.holdsEventTime(b.occurredAt)) {
        throw new InvalidAuditEventException("occurredAt", "must be within the years 0001-9999 (UTC), got "
            + b.occurredAt);
      }
      b.kind = b.kind == null ? EventKind.OTHER : b.kind;
      b.outcome = b.outcome == null ? Outcome.SUCCESS : b.outcome;
      b.tenantId = optional("tenantId", b.tenantId, limits.idLength());
      b.actor = sanitize(b.actor == null ? Actor.anonymous() : b.actor, limits);
      String type = line("resource.type", resource.type(), limits.nameLength());
      if (type.isBlank()) {
        throw new InvalidAuditEventException("resource.type", "must not be blank after removing control characters");
      }
      b.resource = resource.withAll(type,
          optional("resource.id", resource.id(), limits.idLength()),
          optional("resource.label", resource.label(), limits.textLength()));
      b.fromState = optional("fromState", b.fromState, limits.nameLength());
      b.toState = optional("toState", b.toState, limits.nameLength());
      b.request = sanitize(b.request, limits, notes);
      b.source = SourceInfo.of(
          optional("source.app", b.source.app(), limits.nameLength()),
          optional("source.version", b.source.version(), limits.nameLength()),
          optional("source.host", b.source.host(), limits.nameLength()));
      b.oldValue = b.oldValue == null ? null : json("oldValue", b.oldValue, limits.snapshotBytes());
      b.newValue = b.newValue == null ? null : json("newValue", b.newValue, limits.snapshotBytes());
      b.changes = sanitize(b.changes, limits, notes);
      b.metadata = (ObjectNode) json("metadata", b.metadata, limits.metadataBytes());
      if (!notes.isEmpty()) {
        ArrayNode arr = b.metadata.withArray(NOTES_KEY);
        notes.forEach(arr::add);
      }
      return new AuditEvent(b);
    }

    private void validateAction() {
      if (action == null || action.isBlank()) {
        throw new InvalidAuditEventException("action", "must not be null or blank");
      }
      if (action.length() > AuditLimits.ACTION_LENGTH) {
        throw new InvalidAuditEventException("action",
            "must be at most " + AuditLimits.ACTION_LENGTH + " characters, got " + action.length());
      }
      if (!ACTION.matcher(action).matches()) {
        throw new InvalidAuditEventException("action",
            "must match [A-Za-z0-9][A-Za-z0-9_.:/-]* (letters, digits, '_', '.', ':', '/', '-'), got \""
                + Text.singleLine(action, 64) + "\"");
      }
    }

    /** A one-line text, cleaned; when {@link #exact}, refused if cleaning would change it. */
    private String line(String field, String v, int max) {
      String clean = Text.singleLine(v, max);
      if (exact && !Objects.equals(clean, v)) { // mostly the very instance, when nothing was cleaned
        throw new InvalidAuditEventException(field, "holds characters auditkit never stores");
      }
      return clean;
    }

    /** An optional one-line text: empty is absent (and, when {@link #exact}, refused: stores hold null). */
    private String optional(String field, String v, int max) {
      String clean = emptyToNull(line(field, v, max));
      if (exact && clean == null && v != null) {
        throw new InvalidAuditEventException(field, "is empty where auditkit stores nothing");
      }
      return clean;
    }

    /** A JSON value, cleaned and capped; when {@link #exact}, refused if cleaning would change it. */
    private JsonNode json(String field, JsonNode v, int maxBytes) {
      if (exact) { // and without limits
        if (!Json.keptAsIs(v)) {
          throw new InvalidAuditEventException(field, "holds a key or text with characters auditkit never stores");
        }
        return v;
      }
      return Json.capped(jsonClean ? v : Json.sanitize(v), maxBytes);
    }

    private Actor sanitize(Actor a, AuditLimits limits) {
      String id = line("actor.id", a.id(), limits.idLength());
      if (id.isBlank()) {
        throw new InvalidAuditEventException("actor.id", "must not be blank after removing control characters");
      }
      Map<String, String> extra = a.extraIds();
      if (!extra.isEmpty()) {
        TreeMap<String, String> clean = new TreeMap<>();
        extra.forEach((k, v) -> {
          String ck = line("actor.extraIds", k, limits.nameLength());
          if (!ck.isBlank()) {
            clean.put(ck, line("actor.extraIds." + ck, v, limits.idLength()));
          } else if (exact) {
            throw new InvalidAuditEventException("actor.extraIds", "holds a blank key");
          }
        });
        extra = Collections.unmodifiableMap(clean);
      }
      return a.withAll(id,
          optional("actor.role", a.role(), limits.nameLength()),
          optional("actor.email", a.email(), AuditLimits.EMAIL_LENGTH),
          optional("actor.org", a.org(), limits.nameLength()),
          extra);
    }

    private RequestInfo sanitize(RequestInfo r, AuditLimits limits, List<String> notes) {
      if (r.isEmpty()) {
        return r;
      }
      String ip = r.ip() == null || r.ip().isBlank() ? null : IpAddresses.normalize(r.ip());
      if (exact && r.ip() != null && !r.ip().equals(ip)) {
        throw new InvalidAuditEventException("request.ip", "is not an address as auditkit writes it");
      }
      if (ip == null && r.ip() != null && !r.ip().isBlank()) {
        notes.add("request.ip dropped, not an IP address: " + Text.singleLine(r.ip(), 64));
      }
      return RequestInfo.builder()
          .ip(ip)
          .userAgent(optional("request.userAgent", r.userAgent(), limits.textLength()))
          .method(optional("request.method", r.method(), limits.nameLength()))
          .path(optional("request.path", r.path(), limits.pathLength()))
          .requestId(optional("request.requestId", r.requestId(), limits.idLength()))
          .build();
    }

    private List<FieldChange> sanitize(List<FieldChange> changes, AuditLimits limits, List<String> notes) {
      if (changes.isEmpty()) {
        return List.of();
      }
      List<FieldChange> out = new ArrayList<>(changes.size());
      int limit = limits.snapshotBytes();
      long bound = 0; // an upper bound of the entries' size so far, while it stays under the limit
      long bytes = -1; // their exact size, once the bound no longer proves them small enough
      String previous = null;
      // one change per path: the hash sorts changes, so the order of two with one path would not be
      // covered by it. Paths that became equal when cleaned (control characters removed, cut to the
      // limit, blank) are told apart by a suffix
      Set<String> paths = new HashSet<>();
      Map<String, Integer> nextSuffix = new HashMap<>(); // per cleaned path: no search starts at #2 again
      int renamed = 0;
      String firstRenamed = null;
      for (FieldChange c : changes) {
        String path = line("changes.path", c.path(), limits.textLength());
        if (path.isBlank()) {
          path = "_";
        }
        if (exact && previous != null && previous.compareTo(path) > 0) {
          throw new InvalidAuditEventException("changes", "are not sorted by path, as auditkit stores them");
        }
        boolean renaming = !paths.add(path);
        if (renaming) {
          if (exact) {
            throw new InvalidAuditEventException("changes", "name the path " + path + " twice, which auditkit never stores");
          }
          String cleaned = path;
          int n = nextSuffix.getOrDefault(cleaned, 2);
          while (!paths.add(path = suffixed(cleaned, n, limits.textLength()))) {
            n++;
          }
          nextSuffix.put(cleaned, n + 1);
        }
        previous = path;
        JsonNode from = json("changes.from", c.fromNode().deepCopy(), limits.snapshotBytes());
        JsonNode to = json("changes.to", c.toNode().deepCopy(), limits.snapshotBytes());
        if (limit != Integer.MAX_VALUE && bytes < 0) {
          bound += Json.sizeBound(from, limit) + Json.sizeBound(to, limit);
          if (bound > limit) {
            bytes = 0;
            for (FieldChange kept : out) {
              bytes += Json.bytes(kept.fromNode()).length + Json.bytes(kept.toNode()).length;
            }
          }
        }
        if (bytes >= 0) {
          bytes += Json.bytes(from).length + Json.bytes(to).length;
        }
        if (bytes > limit) {
          notes.add("changes cut after " + out.size() + " of " + changes.size() + " entries: over "
              + limits.snapshotBytes() + " bytes");
          break;
        }
        out.add(FieldChange.of(path, from, to));
        if (renaming) {
          renamed++;
          firstRenamed = firstRenamed == null ? path : firstRenamed;
        }
      }
      if (renamed > 0) {
        notes.add(renamed + " change(s) had the path of another once cleaned; they are stored with a #n suffix (first: "
            + firstRenamed + ")");
      }
      out.sort((x, y) -> x.path().compareTo(y.path()));
      return Collections.unmodifiableList(out);
    }

    /** {@code path} with the suffix {@code #n}, cut so that the whole stays within {@code max} code points. */
    private static String suffixed(String path, int n, int max) {
      String suffix = "#" + n;
      int keep = Math.max(0, Math.min(path.codePointCount(0, path.length()), max - suffix.length()));
      return path.substring(0, path.offsetByCodePoints(0, keep)) + suffix;
    }

    private static String emptyToNull(String s) {
      return s == null || s.isEmpty() ? null : s;
    }
  }
}

package dev.auditkit.core;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.auditkit.core.internal.Json;
import dev.auditkit.core.internal.UuidV7;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * The facade business code calls to record what happened. Thread-safe; build one per application
 * with {@link #builder()} and share it.
 *
 * <p>Every method fills fields the event does not set from the current {@link AuditContext}
 * (tenant, actor, IP, user agent, request id, method, path, context metadata), validates and
 * sanitises the event, hands it to the store and returns the event's id. With
 * {@link Delivery#SYNC} the call returns after the store accepted the event and throws
 * {@link AuditWriteException} when it could not.
 *
 * <pre>{@code
 * AuditLog audit = AuditLog.builder().store(store).build();
 * audit.logAction("update_invoice", "invoice", invoiceId, Map.of("status", "paid"));
 * }</pre>
 */
public final class AuditLog implements AutoCloseable {
  /** Action of events recorded by {@link #created}. */
  public static final String ACTION_CREATED = "created";
  /** Action of events recorded by {@link #updated}. */
  public static final String ACTION_UPDATED = "updated";
  /** Action of events recorded by {@link #deleted}. */
  public static final String ACTION_DELETED = "deleted";
  /** Action of events recorded by {@link #viewed}. */
  public static final String ACTION_VIEWED = "viewed";
  /** Action of events recorded by {@link #transition}. */
  public static final String ACTION_TRANSITION = "state_changed";

  private final AuditSink sink;
  private final Delivery delivery;
  private final Clock clock;
  private final UuidV7 ids;
  private final AuditLimits limits;
  private final SourceInfo source;
  private final ChangeDiffer differ;
  private final RedactionPolicy redaction;

  private AuditLog(Builder b) {
    this.sink = b.sink;
    this.delivery = b.delivery;
    this.clock = b.clock;
    this.ids = new UuidV7(b.clock);
    this.limits = b.limits;
    this.source = b.source;
    this.differ = b.differ;
    this.redaction = b.redaction;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Records an event described by the caller; the builder itself is not changed. */
  public UUID appendAuditLog(AuditEvent.Builder event) {
    Objects.requireNonNull(event, "event");
    return write(event.copy());
  }

  /** Records an already built event; fields it lacks are still filled from the context. */
  public UUID appendAuditLog(AuditEvent event) {
    Objects.requireNonNull(event, "event");
    return write(event.toBuilder());
  }

  /**
   * Records a named action on a resource.
   *
   * @param metadata a JSON object (Map, POJO, ObjectNode) or null
   */
  public UUID logAction(String action, String resourceType, String resourceId, Object metadata) {
    return write(AuditEvent.builder()
        .action(action)
        .resource(resourceType, resourceId)
        .kind(EventKind.OTHER)
        .metadata(metadata));
  }

  /**
   * Records the creation of a record: {@code changes} lists every initial property as a change
   * from null, {@code newValue} holds the snapshot. Both come from the {@link ChangeDiffer}, so its
   * rules and annotations apply, and then the {@link RedactionPolicy}.
   */
  public UUID created(String resourceType, String resourceId, Object after) {
    AuditEvent.Builder b = AuditEvent.builder()
        .action(ACTION_CREATED)
        .kind(EventKind.CREATE)
        .resource(resourceType, resourceId);
    return write(b.changes(differ.diff(resourceType, null, after))
        .newValue(differ.snapshot(resourceType, after, "after")));
  }

  /**
   * Records a change of a record: {@code changes} holds each field that differs between
   * {@code before} and {@code after}, with nested paths such as {@code address.city} (see
   * {@link ChangeDiffer}); no snapshots. An update that changed nothing is still recorded, with no
   * changes: somebody saved the record.
   */
  public UUID updated(String resourceType, String resourceId, Object before, Object after) {
    AuditEvent.Builder b = AuditEvent.builder()
        .action(ACTION_UPDATED)
        .kind(EventKind.UPDATE)
        .resource(resourceType, resourceId);
    return write(b.changes(differ.diff(resourceType, before, after)));
  }

  /**
   * Records the deletion of a record with its full last snapshot as {@code oldValue} (made by the
   * {@link ChangeDiffer}, then redacted); no changes.
   */
  public UUID deleted(String resourceType, String resourceId, Object before) {
    AuditEvent.Builder b = AuditEvent.builder()
        .action(ACTION_DELETED)
        .kind(EventKind.DELETE)
        .resource(resourceType, resourceId);
    return write(b.oldValue(differ.snapshot(resourceType, before, "before")));
  }

  /** Records that a record was read. */
  public UUID viewed(String resourceType, String resourceId) {
    return write(AuditEvent.builder()
        .action(ACTION_VIEWED)
        .kind(EventKind.READ)
        .resource(resourceType, resourceId));
  }

  /**
   * Records a state-machine transition of a record, such as a job going from {@code SCHEDULED} to
   * {@code COMPLETED_PENDING_APPROVAL}.
   *
   * @throws InvalidAuditEventException naming {@code fromState} or {@code toState} when blank
   */
  public UUID transition(String resourceType, String resourceId, String fromState, String toState, Object metadata) {
    if (fromState == null || fromState.isBlank()) {
      throw new InvalidAuditEventException("fromState", "must not be null or blank");
    }
    if (toState == null || toState.isBlank()) {
      throw new InvalidAuditEventException("toState", "must not be null or blank");
    }
    return write(AuditEvent.builder()
        .action(ACTION_TRANSITION)
        .kind(EventKind.TRANSITION)
        .resource(resourceType, resourceId)
        .fromState(fromState)
        .toState(toState)
        .metadata(metadata));
  }

  /**
   * Records a security event (failed login, forbidden access, ...). Its action is
   * {@link SecurityEventType#action()}, its resource type {@code security}.
   */
  public UUID securityEvent(SecurityEventType type, Object metadata) {
    if (type == null) {
      throw new InvalidAuditEventException("type", "must not be null");
    }
    return write(AuditEvent.builder()
        .action(type.action())
        .kind(type.kind())
        .outcome(type.outcome())
        .resource("security", type.name())
        .metadata(metadata));
  }

  private UUID write(AuditEvent.Builder b) {
    AuditContext ctx = AuditContext.current().orElse(null);
    if (ctx != null) {
      fillFromContext(b, ctx);
    }
    if (b.source().isEmpty() && !source.isEmpty()) {
      b.source(source);
    }
    redaction.apply(b);
    AuditEvent event = b.build(limits, clock, ids);
    switch (delivery) {
      case SYNC -> writeSync(event);
      default -> throw new IllegalStateException("unknown delivery " + delivery);
    }
    return event.id();
  }

  private void writeSync(AuditEvent event) {
    try {
      sink.write(List.of(event));
    } catch (AuditWriteException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new AuditWriteException("audit event " + event.id() + " could not be written: " + e.getMessage(), e);
    }
  }

  private static void fillFromContext(AuditEvent.Builder b, AuditContext ctx) {
    if (b.tenantId() == null) {
      b.tenantId(ctx.tenantId());
    }
    if (b.actor() == null) {
      b.actor(ctx.actor());
    }
    RequestInfo r = b.request();
    RequestInfo.Builder rb = r.toBuilder();
    boolean changed = false;
    if (r.ip() == null && ctx.ipAddress() != null) {
      rb.ip(ctx.ipAddress());
      changed = true;
    }
    if (r.userAgent() == null && ctx.userAgent() != null) {
      rb.userAgent(ctx.userAgent());
      changed = true;
    }
    if (r.requestId() == null && ctx.requestId() != null) {
      rb.requestId(ctx.requestId());
      changed = true;
    }
    if (r.method() == null && ctx.httpMethod() != null) {
      rb.method(ctx.httpMethod());
      changed = true;
    }
    if (r.path() == null && ctx.path() != null) {
      rb.path(ctx.path());
      changed = true;
    }
    if (changed) {
      b.request(rb.build());
    }
    if (!ctx.metadata().isEmpty()) {
      ObjectNode meta = b.metadataNode();
      for (Map.Entry<String, Object> e : ctx.metadata().entrySet()) {
        if (!meta.has(e.getKey())) {
          meta.set(e.getKey(), Json.toTree(e.getValue(), "context.metadata." + e.getKey()));
        }
      }
    }
  }

  /** Closes the store. */
  @Override
  public void close() {
    sink.close();
  }

  /** Configures an {@link AuditLog}. Only {@link #store} is required. */
  public static final class Builder {
    private AuditSink sink;
    private Delivery delivery = Delivery.SYNC;
    private Clock clock = Clock.systemUTC();
    private AuditLimits limits = AuditLimits.defaults();
    private SourceInfo source = SourceInfo.empty();
    private ChangeDiffer differ = ChangeDiffer.defaults();
    private RedactionPolicy redaction = RedactionPolicy.defaults();

    private Builder() {}

    /** How {@link AuditLog#updated}, {@link AuditLog#created} and {@link AuditLog#deleted} compare and snapshot records; {@link ChangeDiffer#defaults()} by default. */
    public Builder differ(ChangeDiffer differ) {
      this.differ = Objects.requireNonNull(differ, "differ");
      return this;
    }

    /**
     * What is removed from every event before it is stored, hashed or sent to a sink;
     * {@link RedactionPolicy#defaults()} by default.
     */
    public Builder redaction(RedactionPolicy redaction) {
      this.redaction = Objects.requireNonNull(redaction, "redaction");
      return this;
    }

    /** Where events go: a JDBC store, {@link InMemoryAuditStore}, {@link Slf4jAuditSink}, or your own. */
    public Builder store(AuditSink sink) {
      this.sink = Objects.requireNonNull(sink, "store");
      return this;
    }

    public Builder delivery(Delivery delivery) {
      this.delivery = Objects.requireNonNull(delivery, "delivery");
      return this;
    }

    /** The clock for event times and ids; UTC system clock by default. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    public Builder limits(AuditLimits limits) {
      this.limits = Objects.requireNonNull(limits, "limits");
      return this;
    }

    /** Which application writes: stamped on every event that does not name its own source. */
    public Builder source(String app, String version, String host) {
      this.source = SourceInfo.of(app, version, host);
      return this;
    }

    /**
     * @throws IllegalStateException when no store was set
     */
    public AuditLog build() {
      if (sink == null) {
        throw new IllegalStateException("AuditLog needs a store: call store(...) before build()");
      }
      return new AuditLog(this);
    }
  }
}

package dev.auditkit.core;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.auditkit.core.internal.AsyncDispatcher;
import dev.auditkit.core.internal.AsyncSettings;
import dev.auditkit.core.internal.Json;
import dev.auditkit.core.internal.UuidV7;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The facade business code calls to record what happened. Thread-safe; build one per application
 * with {@link #builder()} and share it.
 *
 * <p>Every method fills fields the event does not set from the current {@link AuditContext}
 * (tenant, actor, IP, user agent, request id, method, path, context metadata), validates and
 * sanitises the event, hands it to the store and returns the event's id. With
 * {@link Delivery#SYNC} the call returns after the store accepted the event and throws
 * {@link AuditWriteException} when it could not. With {@link Delivery#ASYNC} it returns once the
 * event is queued — or, with a {@linkplain Builder#journal journal}, once it is in the journal —
 * and a writer thread ships it; see {@link #health()} and {@link #close()}.
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

  private static final Logger LOG = LoggerFactory.getLogger(AuditLog.class);

  private final AuditSink sink;
  private final Delivery delivery;
  private final Clock clock;
  private final UuidV7 ids;
  private final AuditLimits limits;
  private final SourceInfo source;
  private final AsyncDispatcher async;
  private final ChangeDiffer differ;
  private final RedactionPolicy redaction;
  /** Closes an ASYNC log the host did not close when the JVM exits; null when not registered. */
  private final Thread shutdownHook;
  /** Set once by {@link #close} (under this log's lock); read without it by {@link #prepare}. */
  private volatile boolean closed;

  private AuditLog(Builder b) {
    this.sink = b.sink;
    this.delivery = b.delivery;
    this.clock = b.clock;
    this.ids = new UuidV7(b.clock);
    this.limits = b.limits;
    this.source = b.source;
    this.async = b.delivery == Delivery.ASYNC ? new AsyncDispatcher(b.sink, b.asyncSettings(), b.clock) : null;
    this.differ = b.differ;
    this.redaction = b.redaction;
    this.shutdownHook = async != null && b.closeOnShutdown ? registerShutdownHook() : null;
  }

  private Thread registerShutdownHook() {
    Thread hook = new Thread(this::closeAtShutdown, "auditkit-shutdown");
    try {
      Runtime.getRuntime().addShutdownHook(hook);
      return hook;
    } catch (IllegalStateException e) {
      return null; // the JVM is shutting down already
    }
  }

  /** The JVM is exiting and the host did not close this log: ship what is queued, say what is not. */
  private void closeAtShutdown() {
    try {
      close();
    } catch (UnshippedEventsException e) {
      LOG.error("auditkit: at JVM shutdown, {}", e.getMessage());
      System.err.println("auditkit: at JVM shutdown, " + e.getMessage()); // the logging may be shut down already
    } catch (RuntimeException e) {
      LOG.error("auditkit: closing the audit log at JVM shutdown failed", e);
      System.err.println("auditkit: closing the audit log at JVM shutdown failed: " + e);
    }
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

  /**
   * Builds the event exactly as {@link #appendAuditLog(AuditEvent.Builder)} would record it (fields
   * it lacks from the current {@link AuditContext}, the log's source, the {@link RedactionPolicy},
   * the limits, and an id from the log's generator unless the builder has one), without delivering
   * it: for an event the host writes itself, such as {@code JdbcAuditStore.append(connection,
   * events)} inside its own transaction, so that the audit row commits if and only if the business
   * change does. The builder itself is not changed.
   *
   * @throws InvalidAuditEventException naming the field, as {@code appendAuditLog} would
   * @throws IllegalStateException after {@link #close}, as {@code appendAuditLog} would
   */
  public AuditEvent prepare(AuditEvent.Builder event) {
    Objects.requireNonNull(event, "event");
    refuseIfClosed();
    return build(event.copy());
  }

  /** Like {@link #prepare(AuditEvent.Builder)} for an event built already: fields it lacks are filled, and it is redacted. */
  public AuditEvent prepare(AuditEvent event) {
    Objects.requireNonNull(event, "event");
    refuseIfClosed();
    return build(event.toBuilder());
  }

  private void refuseIfClosed() {
    if (closed) {
      throw new IllegalStateException("AuditLog is closed: it prepares no more events");
    }
  }

  /**
   * The {@link ChangeDiffer} this log uses for {@link #created}, {@link #updated} and
   * {@link #deleted}, with its rules: for the changes of an event built for {@link #prepare}.
   */
  public ChangeDiffer differ() {
    return differ;
  }

  private UUID write(AuditEvent.Builder b) {
    AuditEvent event = build(b);
    switch (delivery) {
      case SYNC -> {
        if (closed) { // (ASYNC refuses in submit, which close also waits for)
          throw new IllegalStateException("AuditLog is closed: event " + event.id() + " was not recorded");
        }
        writeSync(event);
      }
      case ASYNC -> async.submit(event);
      default -> throw new IllegalStateException("unknown delivery " + delivery);
    }
    return event.id();
  }

  /** Context, source, redaction and limits applied to {@code b}, which is the caller's own copy. */
  private AuditEvent build(AuditEvent.Builder b) {
    AuditContext ctx = AuditContext.current().orElse(null);
    if (ctx != null) {
      fillFromContext(b, ctx);
    }
    if (b.source().isEmpty() && !source.isEmpty()) {
      b.source(source);
    }
    redaction.apply(b);
    return b.buildPrivate(limits, clock, ids);
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

  /** How delivery is doing: queue, journal backlog, oldest unshipped event, errors, drops. */
  public DeliveryHealth health() {
    return async == null ? DeliveryHealth.sync() : DeliveryHealth.of(async.stats(), clock);
  }

  /**
   * Closes the log, then the store. With {@link Delivery#ASYNC}: stops accepting events and ships
   * what is queued or journaled for up to {@link Builder#closeTimeout}.
   *
   * @throws UnshippedEventsException when events could not be shipped in time: it names how many,
   *     the oldest ids, and whether the journal keeps them for the next start (the store is
   *     closed all the same)
   * @throws IllegalStateException when called from inside {@link AuditSink#write} on the ASYNC
   *     writer thread, where it would wait for its own thread; the log stays open
   */
  @Override
  public void close() {
    if (async != null && async.onWriterThread()) {
      // checked before taking this log's lock: a host thread closing meanwhile holds it while it
      // waits for the writer, which would then wait for the host
      throw new IllegalStateException("AuditLog.close() was called from inside AuditSink.write, on the ASYNC writer "
          + "thread, where it would wait for itself to ship; close the log from another thread");
    }
    closeOnce();
  }

  private synchronized void closeOnce() {
    if (closed) {
      return; // closed already, by the host or at shutdown
    }
    closed = true;
    if (shutdownHook != null && Thread.currentThread() != shutdownHook) {
      try {
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
      } catch (IllegalStateException e) {
        // the JVM is shutting down: the hook finds this log closed
      }
    }
    try {
      if (async != null) {
        async.close();
      }
    } finally {
      sink.close();
    }
  }

  /** Configures an {@link AuditLog}. Only {@link #store} is required. */
  public static final class Builder {
    private AuditSink sink;
    private Delivery delivery = Delivery.SYNC;
    private Clock clock = Clock.systemUTC();
    private AuditLimits limits = AuditLimits.defaults();
    private SourceInfo source = SourceInfo.empty();
    private Path journal;
    private JournalDurability durability = JournalDurability.PROCESS_CRASH;
    private int queueCapacity = 8192;
    private OverflowPolicy overflow = OverflowPolicy.BLOCK;
    private int batchSize = 500;
    private Duration batchDelay = Duration.ofMillis(5);
    private Duration retryMin = Duration.ofMillis(100);
    private Duration retryMax = Duration.ofSeconds(30);
    private Duration closeTimeout = Duration.ofSeconds(10);
    private boolean closeOnShutdown = true;
    private long segmentBytes = 16L * 1024 * 1024;
    private long journalCapacity = 1L << 30;
    private Duration spillAfter = Duration.ofMillis(100);
    private boolean asyncOptionSet;
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
     * ASYNC: a local journal directory (created if missing) that makes each event durable before
     * {@code appendAuditLog} returns. Left-over segments are shipped on start. One AuditLog per
     * directory ({@link JournalLockedException} otherwise). When the directory is full or
     * read-only, events are held in memory (callers wait when the queue is full) and
     * {@link DeliveryHealth#journalDegraded()} says so.
     */
    public Builder journal(Path directory) {
      Objects.requireNonNull(directory, "journal");
      if (Files.exists(directory) && !Files.isDirectory(directory)) {
        throw new IllegalArgumentException("journal must be a directory, " + directory + " is a file");
      }
      this.journal = directory;
      return async();
    }

    /** ASYNC with a journal: what a returned call survives; {@link JournalDurability#PROCESS_CRASH} by default. */
    public Builder journalDurability(JournalDurability durability) {
      this.durability = Objects.requireNonNull(durability, "journalDurability");
      return async();
    }

    /**
     * ASYNC: how many events may wait in memory; 8192 by default. With a journal, events beyond it
     * wait in the journal only (see {@link OverflowPolicy}).
     */
    public Builder queueCapacity(int capacity) {
      this.queueCapacity = checkRange("queueCapacity", capacity, 1, 10_000_000);
      return async();
    }

    /** ASYNC: what to do when the queue is full; {@link OverflowPolicy#BLOCK} by default. */
    public Builder overflow(OverflowPolicy policy) {
      this.overflow = Objects.requireNonNull(policy, "overflow");
      return async();
    }

    /** ASYNC: the most events per store write; 500 by default. */
    public Builder batchSize(int size) {
      this.batchSize = checkRange("batchSize", size, 1, 100_000);
      return async();
    }

    /** ASYNC: how long the writer waits for a batch to fill once it has an event; 5 ms by default. */
    public Builder batchDelay(Duration delay) {
      this.batchDelay = checkDuration("batchDelay", delay, Duration.ofSeconds(60));
      return async();
    }

    /** ASYNC: backoff between store retries, doubling from {@code min} up to {@code max}, with jitter; 100 ms to 30 s by default. */
    public Builder retryBackoff(Duration min, Duration max) {
      checkDuration("retryBackoff min", min, Duration.ofHours(1));
      checkDuration("retryBackoff max", max, Duration.ofHours(1));
      if (min.isZero() || max.compareTo(min) < 0) {
        throw new IllegalArgumentException("retryBackoff needs 0 < min <= max, got " + min + ", " + max);
      }
      this.retryMin = min;
      this.retryMax = max;
      return async();
    }

    /**
     * ASYNC: whether the log closes itself when the JVM exits normally (the end of {@code main},
     * {@code System.exit}, SIGTERM) and the host has not closed it, shipping what is queued for up
     * to {@link #closeTimeout}; on by default. Without a journal, events still queued at exit are
     * otherwise lost; with one they would wait for the next start. A host that closes the log in
     * its own shutdown (and closes the store's DataSource only after it) may turn this off.
     */
    public Builder closeOnShutdown(boolean close) {
      this.closeOnShutdown = close;
      return async();
    }

    /** ASYNC: how long {@link AuditLog#close()} keeps shipping; 10 s by default. */
    public Builder closeTimeout(Duration timeout) {
      this.closeTimeout = checkDuration("closeTimeout", timeout, Duration.ofHours(1));
      return async();
    }

    /**
     * ASYNC with a journal: the most bytes of records its segments may hold, 1 GiB by default
     * (about 1.3 million events of 800 bytes). Events the queue cannot hold wait in the journal
     * (see {@link OverflowPolicy}); once it holds this much, new events are kept in memory only
     * and the overflow policy applies, as on a full disk, until shipped segments are removed.
     * {@link DeliveryHealth#journalDegraded()} is true meanwhile. At least 1 MiB; segment files
     * are then at most a quarter of it.
     */
    public Builder journalCapacity(long bytes) {
      if (bytes < 1L << 20) {
        throw new IllegalArgumentException("journalCapacity must be at least 1 MiB (1048576 bytes), got " + bytes);
      }
      this.journalCapacity = bytes;
      return async();
    }

    /**
     * ASYNC with a journal: how long a caller waits for room in a full queue before events are left
     * to the journal alone (spilled, see {@link OverflowPolicy}); 100 ms by default, zero spills at
     * once. A full queue usually means the writer is busy: waiting for it (it makes room a batch at
     * a time) holds callers back to the store's pace and ships the most, while spilled events cost
     * the writer a read and a parse each. A writer that makes no room for this long is stuck (the
     * store is down or very slow) and events spill. Once it works again, callers wait (again up to
     * this long) for each batch it reads back, so the spill ends under load; for a failing store,
     * or a spill that cannot be read back, nobody waits.
     */
    public Builder spillAfter(Duration wait) {
      this.spillAfter = checkDuration("spillAfter", wait, Duration.ofSeconds(60));
      return async();
    }

    /** For tests: roll journal segments at this size. */
    Builder journalSegmentBytes(long bytes) {
      this.segmentBytes = bytes;
      return async();
    }

    private Builder async() {
      asyncOptionSet = true;
      return this;
    }

    private static int checkRange(String name, int value, int min, int max) {
      if (value < min || value > max) {
        throw new IllegalArgumentException(name + " must be between " + min + " and " + max + ", got " + value);
      }
      return value;
    }

    private static Duration checkDuration(String name, Duration d, Duration max) {
      Objects.requireNonNull(d, name);
      if (d.isNegative() || d.compareTo(max) > 0) {
        throw new IllegalArgumentException(name + " must be between 0 and " + max + ", got " + d);
      }
      return d;
    }

    AsyncSettings asyncSettings() {
      return new AsyncSettings(queueCapacity, overflow, batchSize, batchDelay, retryMin, retryMax, closeTimeout,
          journal, durability, segmentBytes, journalCapacity, spillAfter);
    }

    /**
     * @throws IllegalStateException when no store was set, when ASYNC options are set without
     *     {@code delivery(ASYNC)}, or when a journal is combined with {@code DROP_COUNTED}
     * @throws JournalLockedException when another AuditLog uses the journal directory
     */
    public AuditLog build() {
      if (sink == null) {
        throw new IllegalStateException("AuditLog needs a store: call store(...) before build()");
      }
      if (asyncOptionSet && delivery != Delivery.ASYNC) {
        throw new IllegalStateException("journal, queue, batch, retry and close options apply to Delivery.ASYNC only: "
            + "call delivery(Delivery.ASYNC)");
      }
      if (journal != null && overflow == OverflowPolicy.DROP_COUNTED) {
        throw new IllegalStateException("a journal promises that nothing is lost: it cannot be combined with "
            + "OverflowPolicy.DROP_COUNTED");
      }
      return new AuditLog(this);
    }
  }
}

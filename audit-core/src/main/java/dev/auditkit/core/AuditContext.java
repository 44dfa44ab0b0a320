package dev.auditkit.core;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * Who is acting and from where, for the code running inside {@link #runWithAuditContext}. Events
 * logged there take tenant, actor and request fields from the context unless the event sets them.
 *
 * <p>Contexts nest: an inner context is merged field by field onto the outer one (the inner value
 * wins where it is set; the actor is one field; metadata merges key by key) and the outer context
 * is restored when the body ends, normally or by an exception. A context is bound to the thread;
 * use {@link #wrap(Runnable)}, {@link #wrap(Callable)} or {@link #wrap(Executor)} to carry it to
 * other threads. A pooled thread never keeps a context after a wrapped task ends.
 */
public final class AuditContext {
  private static final ThreadLocal<AuditContext> CURRENT = new ThreadLocal<>();

  private final String tenantId;
  private final Actor actor;
  private final String ipAddress;
  private final String userAgent;
  private final String requestId;
  private final String httpMethod;
  private final String path;
  private final Map<String, Object> metadata;

  private AuditContext(Builder b) {
    this.tenantId = b.tenantId;
    this.actor = b.actor;
    this.ipAddress = b.ipAddress;
    this.userAgent = b.userAgent;
    this.requestId = b.requestId;
    this.httpMethod = b.httpMethod;
    this.path = b.path;
    this.metadata = Collections.unmodifiableMap(new LinkedHashMap<>(b.metadata));
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    Builder b = new Builder();
    b.tenantId = tenantId;
    b.actor = actor;
    b.ipAddress = ipAddress;
    b.userAgent = userAgent;
    b.requestId = requestId;
    b.httpMethod = httpMethod;
    b.path = path;
    b.metadata.putAll(metadata);
    return b;
  }

  /** The context of the current thread, if code runs inside {@link #runWithAuditContext}. */
  public static Optional<AuditContext> current() {
    return Optional.ofNullable(CURRENT.get());
  }

  /**
   * Runs {@code body} with {@code context} merged onto the current one; restores the previous
   * context afterwards, also when {@code body} throws.
   */
  public static void runWithAuditContext(AuditContext context, Runnable body) {
    AuditContext previous = enter(context, body);
    try {
      body.run();
    } finally {
      restore(previous);
    }
  }

  /**
   * Like {@link #runWithAuditContext(AuditContext, Runnable)} for a body that returns a value; a
   * checked exception of the body is passed on unchanged, and only then declared: Java infers
   * {@code X} from the body, so {@code runWithAuditContext(ctx, () -> audit.viewed("job", id))}
   * needs no {@code try}, and a body that throws {@code IOException} makes the call throw it. A
   * {@link Callable} {@code task} is passed as {@code task::call}.
   */
  public static <T, X extends Exception> T runWithAuditContext(AuditContext context, Body<T, X> body) throws X {
    AuditContext previous = enter(context, body);
    try {
      return body.call();
    } finally {
      restore(previous);
    }
  }

  /**
   * A body that returns a value and may throw {@code X}: {@link Callable}'s shape, with the
   * exception a type parameter so that bodies without checked exceptions declare none.
   *
   * @param <T> what the body returns
   * @param <X> what it may throw; inferred as {@link RuntimeException} for a body that throws no checked exception
   */
  @FunctionalInterface
  public interface Body<T, X extends Exception> {
    T call() throws X;
  }

  /** Like {@link #runWithAuditContext(AuditContext, Body)} for a {@link Supplier}. */
  public static <T> T supplyWithAuditContext(AuditContext context, Supplier<T> body) {
    AuditContext previous = enter(context, body);
    try {
      return body.get();
    } finally {
      restore(previous);
    }
  }

  /**
   * A task that runs {@code task} with the context current now (or with none, if none is), whatever
   * context the executing thread has; that thread's own context is restored afterwards.
   */
  public static Runnable wrap(Runnable task) {
    Objects.requireNonNull(task, "task");
    AuditContext captured = CURRENT.get();
    return () -> {
      AuditContext previous = swap(captured);
      try {
        task.run();
      } finally {
        restore(previous);
      }
    };
  }

  /** Like {@link #wrap(Runnable)} for a {@link Callable}. */
  public static <T> Callable<T> wrap(Callable<T> task) {
    Objects.requireNonNull(task, "task");
    AuditContext captured = CURRENT.get();
    return () -> {
      AuditContext previous = swap(captured);
      try {
        return task.call();
      } finally {
        restore(previous);
      }
    };
  }

  /**
   * An executor that runs each task with the context that was current when the task was
   * submitted.
   */
  public static Executor wrap(Executor executor) {
    Objects.requireNonNull(executor, "executor");
    return task -> executor.execute(wrap(task));
  }

  /** Merges {@code context} onto the current one; returns the context to restore afterwards. */
  private static AuditContext enter(AuditContext context, Object body) {
    Objects.requireNonNull(context, "context");
    Objects.requireNonNull(body, "body");
    AuditContext previous = CURRENT.get();
    CURRENT.set(previous == null ? context : previous.mergedWith(context));
    return previous;
  }

  /** Makes exactly {@code ctx} (or none) current; returns the context to restore afterwards. */
  private static AuditContext swap(AuditContext ctx) {
    AuditContext previous = CURRENT.get();
    restore(ctx);
    return previous;
  }

  private static void restore(AuditContext ctx) {
    if (ctx == null) {
      CURRENT.remove();
    } else {
      CURRENT.set(ctx);
    }
  }

  /** This context with every field that {@code inner} sets replaced by the inner value. */
  public AuditContext mergedWith(AuditContext inner) {
    Builder b = toBuilder();
    if (inner.tenantId != null) {
      b.tenantId = inner.tenantId;
    }
    if (inner.actor != null) {
      b.actor = inner.actor;
    }
    if (inner.ipAddress != null) {
      b.ipAddress = inner.ipAddress;
    }
    if (inner.userAgent != null) {
      b.userAgent = inner.userAgent;
    }
    if (inner.requestId != null) {
      b.requestId = inner.requestId;
    }
    if (inner.httpMethod != null) {
      b.httpMethod = inner.httpMethod;
    }
    if (inner.path != null) {
      b.path = inner.path;
    }
    b.metadata.putAll(inner.metadata);
    return b.build();
  }

  public String tenantId() {
    return tenantId;
  }

  public Actor actor() {
    return actor;
  }

  public String ipAddress() {
    return ipAddress;
  }

  public String userAgent() {
    return userAgent;
  }

  public String requestId() {
    return requestId;
  }

  public String httpMethod() {
    return httpMethod;
  }

  public String path() {
    return path;
  }

  /** Entries added to the metadata of every event logged in this context (the event's own win). */
  public Map<String, Object> metadata() {
    return metadata;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof AuditContext c
        && Objects.equals(tenantId, c.tenantId)
        && Objects.equals(actor, c.actor)
        && Objects.equals(ipAddress, c.ipAddress)
        && Objects.equals(userAgent, c.userAgent)
        && Objects.equals(requestId, c.requestId)
        && Objects.equals(httpMethod, c.httpMethod)
        && Objects.equals(path, c.path)
        && metadata.equals(c.metadata);
  }

  @Override
  public int hashCode() {
    return Objects.hash(tenantId, actor, ipAddress, requestId, path);
  }

  @Override
  public String toString() {
    return "AuditContext{tenant=" + tenantId + ", actor=" + actor + ", ip=" + ipAddress + ", requestId=" + requestId + "}";
  }

  /** Builds an {@link AuditContext}; every field is optional. Values are sanitised per event. */
  public static final class Builder {
    private String tenantId;
    private Actor actor;
    private String ipAddress;
    private String userAgent;
    private String requestId;
    private String httpMethod;
    private String path;
    private final Map<String, Object> metadata = new LinkedHashMap<>();

    private Builder() {}

    public Builder tenantId(String tenantId) {
      this.tenantId = tenantId;
      return this;
    }

    public Builder actor(Actor actor) {
      this.actor = actor;
      return this;
    }

    public Builder ipAddress(String ipAddress) {
      this.ipAddress = ipAddress;
      return this;
    }

    public Builder userAgent(String userAgent) {
      this.userAgent = userAgent;
      return this;
    }

    public Builder requestId(String requestId) {
      this.requestId = requestId;
      return this;
    }

    public Builder httpMethod(String httpMethod) {
      this.httpMethod = httpMethod;
      return this;
    }

    public Builder path(String path) {
      this.path = path;
      return this;
    }

    /** Adds a metadata entry for every event in this context; a null value removes the key. */
    public Builder metadata(String key, Object value) {
      if (key == null || key.isBlank()) {
        throw new InvalidAuditEventException("context.metadata", "key must not be null or blank");
      }
      if (value == null) {
        metadata.remove(key);
      } else {
        metadata.put(key, value);
      }
      return this;
    }

    public AuditContext build() {
      return new AuditContext(this);
    }
  }
}

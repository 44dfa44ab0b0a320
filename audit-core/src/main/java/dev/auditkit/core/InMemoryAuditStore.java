package dev.auditkit.core;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * A thread-safe store that keeps events in memory, in write order, idempotent by event id. For
 * tests and development; everything is gone when the JVM exits.
 */
public final class InMemoryAuditStore implements AuditSink {
  private final Map<UUID, AuditEvent> events = new LinkedHashMap<>();

  @Override
  public void write(List<AuditEvent> batch) {
    Objects.requireNonNull(batch, "events");
    for (AuditEvent e : batch) {
      Objects.requireNonNull(e, "events must not contain null");
    }
    synchronized (events) {
      for (AuditEvent e : batch) {
        events.putIfAbsent(e.id(), e);
      }
    }
  }

  /** A snapshot of every event held, in the order first written. */
  public List<AuditEvent> events() {
    synchronized (events) {
      return List.copyOf(new ArrayList<>(events.values()));
    }
  }

  /** The number of events held. */
  public int size() {
    synchronized (events) {
      return events.size();
    }
  }
}

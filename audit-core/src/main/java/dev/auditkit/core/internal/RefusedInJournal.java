package dev.auditkit.core.internal;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Journaled events the store refused that {@link AsyncDispatcher} had no room left to set aside:
 * the journal alone holds them, and they are offered again on the next start. Kept for health (how
 * many, the oldest) and for close's report (their ids, bounded, and their segments).
 *
 * <p>Threading: {@link #add} is called by the writer thread only; the rest is read by any thread
 * (health, close). The oldest time is volatile (one writer), the ids a synchronized list, the
 * segments guarded by their set's monitor.
 */
final class RefusedInJournal {
  private final AtomicLong count = new AtomicLong();
  private volatile long oldest = Long.MAX_VALUE;
  /** The oldest of them, for close's report (bounded; they are refused in no particular order). */
  private final OldestIds oldestIds = new OldestIds(CloseReport.REPORTED_IDS); // guarded by itself
  /** The segments holding them (close says whether they are all still on disk). */
  private final Set<JournalSegment> segments = Collections.newSetFromMap(new IdentityHashMap<>());

  /** A refused journaled event kept in the journal only (writer thread). */
  void add(QueuedEvent i) {
    oldest = Math.min(oldest, i.acceptedAt()); // until the next start
    count.incrementAndGet();
    synchronized (segments) {
      segments.add(i.segment());
    }
    synchronized (oldestIds) {
      oldestIds.offer(i.acceptedAt(), i.event().id());
    }
  }

  /** How many there are. */
  long count() {
    return count.get();
  }

  /** The oldest acceptance time (the clock's millis), or {@code Long.MAX_VALUE} when there are none. */
  long oldest() {
    return oldest;
  }

  /** Names the oldest of them in close's report. */
  void reportIds(CloseReport report) {
    synchronized (oldestIds) {
      report.name(oldestIds);
    }
  }

  /** Adds the segments holding them to close's report. */
  void reportSegments(CloseReport report) {
    synchronized (segments) {
      report.hold(segments);
    }
  }
}

package dev.auditkit.core;

import dev.auditkit.core.internal.DeliveryStats;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * A point-in-time view of how {@link AuditLog} delivers events, for health endpoints and
 * monitoring. Obtained from {@link AuditLog#health()}; every value is read without waiting on the
 * writer thread.
 */
public final class DeliveryHealth {
  private final Delivery delivery;
  private final int queueDepth;
  private final int queueCapacity;
  private final long journalOnly;
  private final long spilled;
  private final long journalBytes;
  private final boolean journalConfigured;
  private final boolean journalDegraded;
  private final Duration oldestUnshippedAge;
  private final long unshipped;
  private final long shipped;
  private final long dropped;
  private final long refused;
  private final long corruptRecordsSkipped;
  private final long consecutiveFailures;
  private final String lastError;
  private final Instant lastErrorAt;
  private final int callersWaiting;

  DeliveryHealth(Delivery delivery, int queueDepth, int queueCapacity, long journalOnly, long spilled, long journalBytes,
      boolean journalConfigured,
      boolean journalDegraded, Duration oldestUnshippedAge, long unshipped, long shipped, long dropped,
      long refused, long corruptRecordsSkipped, long consecutiveFailures, String lastError, Instant lastErrorAt,
      int callersWaiting) {
    this.delivery = delivery;
    this.queueDepth = queueDepth;
    this.queueCapacity = queueCapacity;
    this.journalOnly = journalOnly;
    this.spilled = spilled;
    this.journalBytes = journalBytes;
    this.journalConfigured = journalConfigured;
    this.journalDegraded = journalDegraded;
    this.oldestUnshippedAge = oldestUnshippedAge;
    this.unshipped = unshipped;
    this.shipped = shipped;
    this.dropped = dropped;
    this.refused = refused;
    this.corruptRecordsSkipped = corruptRecordsSkipped;
    this.consecutiveFailures = consecutiveFailures;
    this.lastError = lastError;
    this.lastErrorAt = lastErrorAt;
    this.callersWaiting = callersWaiting;
  }

  static DeliveryHealth sync() {
    return new DeliveryHealth(Delivery.SYNC, 0, 0, 0, 0, 0, false, false, Duration.ZERO, 0, 0, 0, 0, 0, 0, null, null, 0);
  }

  static DeliveryHealth of(DeliveryStats s, Clock clock) {
    Duration age = s.oldestAcceptedAt() < 0 ? Duration.ZERO
        : Duration.ofMillis(Math.max(0, clock.millis() - s.oldestAcceptedAt()));
    return new DeliveryHealth(Delivery.ASYNC, s.queueDepth(), s.queueCapacity(), s.spilled(), s.spilledTotal(),
        s.journalBytes(),
        s.journalConfigured(), s.journalDegraded(), age, s.unshipped(), s.shipped(), s.dropped(), s.refused(),
        s.corruptRecordsSkipped(), s.consecutiveFailures(), s.lastError(), s.lastErrorAt(), s.callersWaiting());
  }

  /** {@link Delivery#SYNC} or {@link Delivery#ASYNC}. */
  public Delivery delivery() {
    return delivery;
  }

  /**
   * Events waiting in memory for the writer: the queue, plus any the writer recorded itself (from
   * inside {@code AuditSink.write}) while the queue was full, so it can exceed {@link #queueCapacity()}.
   * Always 0 for {@link Delivery#SYNC}.
   */
  public int queueDepth() {
    return queueDepth;
  }

  /** The bound of the in-memory queue; 0 for {@link Delivery#SYNC}. */
  public int queueCapacity() {
    return queueCapacity;
  }

  /**
   * Events the journal alone holds: accepted while the queue was full, so written to the journal
   * only (spilled), and not yet read back by the writer. Counted in {@link #unshipped()} too; 0
   * without a journal.
   */
  public long journalOnly() {
    return journalOnly;
  }

  /**
   * Events spilled since this log started: accepted while the queue was full (or its writer stuck
   * past {@code spillAfter}), so written to the journal only and read back from there by the writer.
   * A rising count means the store does not keep up with the load at times; each spilled event
   * costs the writer a read of the journal. Never decreases; 0 without a journal.
   */
  public long spilled() {
    return spilled;
  }

  /** Bytes held in journal segment files not yet removed (shipped segments are removed). */
  public long journalBytes() {
    return journalBytes;
  }

  /** Whether a journal was configured. */
  public boolean journalConfigured() {
    return journalConfigured;
  }

  /**
   * True while a configured journal cannot be written (full or read-only disk) or holds its
   * {@code journalCapacity}: events are then held in memory only, and callers wait when the queue
   * is full. See {@link #lastError()}.
   */
  public boolean journalDegraded() {
    return journalDegraded;
  }

  /** How long the oldest event not yet in the store has waited; zero when nothing waits. */
  public Duration oldestUnshippedAge() {
    return oldestUnshippedAge;
  }

  /**
   * Events accepted and not yet in the store, plus the records found in the journal at start
   * (whole segments are replayed, so that part may include events the store already has).
   */
  public long unshipped() {
    return unshipped;
  }

  /** Events the store has accepted since this {@link AuditLog} was built. */
  public long shipped() {
    return shipped;
  }

  /** Events dropped because the queue was full ({@link OverflowPolicy#DROP_COUNTED}). */
  public long dropped() {
    return dropped;
  }

  /**
   * Events the store refused for what they hold ({@link AuditWriteException#refused()}) and that
   * are set aside now, while everything else is shipped; never dropped. They are offered to the
   * store again every {@code retryBackoff} maximum (30 s by default) and leave this count once it
   * takes them. With a journal they also stay in it (their segment is kept, offered again on the
   * next start); without one, {@link AuditLog#close()} names those still refused. Logged at ERROR
   * with their ids.
   */
  public long refused() {
    return refused;
  }

  /** Journal records found corrupt or torn at start and skipped. */
  public long corruptRecordsSkipped() {
    return corruptRecordsSkipped;
  }

  /**
   * Store writes that failed in a row, plus reads of spilled journal records that failed in a row
   * ({@link #lastError()} says which); 0 once the failing one succeeds.
   */
  public long consecutiveFailures() {
    return consecutiveFailures;
  }

  /** The last delivery or journal error, if any happened. */
  public Optional<String> lastError() {
    return Optional.ofNullable(lastError);
  }

  /** When {@link #lastError()} happened. */
  public Optional<Instant> lastErrorAt() {
    return Optional.ofNullable(lastErrorAt);
  }

  /**
   * How many {@code appendAuditLog} calls are waiting for room in the full queue right now: for a
   * busy writer (up to {@code spillAfter}, with a journal) or, without a usable journal, under
   * {@link OverflowPolicy#BLOCK}. Zero while the writer keeps up; a count that stays up means the
   * host's threads are held back by the store's pace.
   */
  public int callersWaiting() {
    return callersWaiting;
  }

  /**
   * True when the store is being written without failures, no journal problem is known, and no
   * event was dropped or refused.
   */
  public boolean healthy() {
    return consecutiveFailures == 0 && !journalDegraded && dropped == 0 && refused == 0;
  }

  @Override
  public String toString() {
    return "DeliveryHealth{delivery=" + delivery + ", queue=" + queueDepth + "/" + queueCapacity
        + ", journalOnly=" + journalOnly + ", spilled=" + spilled + ", journalBytes=" + journalBytes
        + ", journalDegraded=" + journalDegraded
        + ", oldestUnshippedAge=" + oldestUnshippedAge + ", unshipped=" + unshipped + ", shipped=" + shipped
        + ", dropped=" + dropped + ", refused=" + refused + ", corruptRecordsSkipped=" + corruptRecordsSkipped
        + ", consecutiveFailures=" + consecutiveFailures + ", callersWaiting=" + callersWaiting
        + ", lastError=" + lastError + "}";
  }
}

package dev.auditkit.core.chain;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * When a chain gets a new signed checkpoint: after {@link #everyEvents()} newly sealed events or
 * {@link #every()} since the last checkpoint, whichever comes first, and only if the chain grew.
 * A chain with sealed events and no checkpoint yet is always due. Defaults: 10 000 events / 5 min.
 */
public final class CheckpointPolicy {
  private static final CheckpointPolicy DEFAULTS = new CheckpointPolicy(10_000, Duration.ofMinutes(5));

  private final long everyEvents;
  private final Duration every;

  private CheckpointPolicy(long everyEvents, Duration every) {
    this.everyEvents = everyEvents;
    this.every = every;
  }

  public static CheckpointPolicy defaults() {
    return DEFAULTS;
  }

  /**
   * @throws IllegalArgumentException if {@code everyEvents < 1} or {@code every} is not positive
   */
  public static CheckpointPolicy of(long everyEvents, Duration every) {
    if (everyEvents < 1) {
      throw new IllegalArgumentException("everyEvents must be >= 1: " + everyEvents);
    }
    Objects.requireNonNull(every, "every");
    if (every.isNegative() || every.isZero()) {
      throw new IllegalArgumentException("every must be positive: " + every);
    }
    return new CheckpointPolicy(everyEvents, every);
  }

  public long everyEvents() {
    return everyEvents;
  }

  public Duration every() {
    return every;
  }

  /**
   * Whether {@code head} should be checkpointed now.
   *
   * @param last the chain's latest checkpoint, or null if it has none
   */
  public boolean isDue(ChainHead head, Checkpoint last, Instant now) {
    Objects.requireNonNull(head, "head");
    Objects.requireNonNull(now, "now");
    if (last != null && !last.chainId().equals(head.chainId())) {
      throw new IllegalArgumentException("checkpoint of " + last.chainId() + " given for " + head.chainId());
    }
    long lastSeq = last == null ? 0 : last.sequence();
    if (head.sequence() <= lastSeq) {
      return false;
    }
    return last == null
        || head.sequence() - lastSeq >= everyEvents
        || !now.isBefore(last.time().plus(every));
  }

  @Override
  public String toString() {
    return "CheckpointPolicy{every " + everyEvents + " events or " + every + "}";
  }
}

package dev.auditkit.core.internal;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with jitter: the n-th retry waits a random time between half and all of
 * {@code min * 2^n}, capped at {@code max}, so that many writers recovering from one outage do not
 * hit the store in step.
 */
public final class Backoff {
  private final long minNanos;
  private final long maxNanos;

  public Backoff(Duration min, Duration max) {
    this.minNanos = min.toNanos();
    this.maxNanos = max.toNanos();
  }

  /** The wait before retry number {@code attempt} (0 for the first retry). */
  public long delayNanos(int attempt) {
    long ceiling = minNanos;
    for (int i = 0; i < attempt && ceiling < maxNanos; i++) {
      ceiling *= 2;
    }
    ceiling = Math.min(ceiling, maxNanos);
    long half = ceiling / 2;
    return half + ThreadLocalRandom.current().nextLong(ceiling - half + 1);
  }
}

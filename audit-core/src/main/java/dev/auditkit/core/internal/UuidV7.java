package dev.auditkit.core.internal;

import java.time.Clock;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * UUID version 7 (RFC 9562): 48-bit Unix milliseconds, then a 12-bit counter (method 1 of section
 * 6.2) so ids from one generator are strictly increasing even within a millisecond and across
 * threads, then 62 random bits. When the counter overflows, the timestamp field moves ahead of
 * the clock by a millisecond, as the RFC allows; a clock that steps backwards never makes ids go
 * backwards.
 */
public final class UuidV7 {
  private final Clock clock;
  /** The last (millis << 12 | counter) handed out. */
  private final AtomicLong last = new AtomicLong();

  public UuidV7(Clock clock) {
    this.clock = clock;
  }

  public UUID next() {
    long now = clock.millis() << 12;
    long prev;
    long next;
    do {
      prev = last.get();
      next = now > prev ? now : prev + 1;
    } while (!last.compareAndSet(prev, next));
    long millis = next >>> 12;
    long counter = next & 0xFFF;
    long msb = (millis << 16) | 0x7000L | counter;
    long lsb = (ThreadLocalRandom.current().nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
    return new UUID(msb, lsb);
  }

  /** The Unix millisecond timestamp encoded in a version-7 UUID. */
  public static long timestampMillis(UUID id) {
    return id.getMostSignificantBits() >>> 16;
  }
}

package dev.auditkit.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BackoffTest {
  @Test
  void delaysDoubleFromMinToMax_withJitterInTheUpperHalf() {
    Backoff b = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(2));
    long[] ceilings = {100, 200, 400, 800, 1600, 2000, 2000};
    for (int attempt = 0; attempt < ceilings.length; attempt++) {
      long ceiling = Duration.ofMillis(ceilings[attempt]).toNanos();
      Set<Long> seen = new HashSet<>();
      for (int i = 0; i < 200; i++) {
        long d = b.delayNanos(attempt);
        assertThat(d).as("attempt %d", attempt).isBetween(ceiling / 2, ceiling);
        seen.add(d);
      }
      assertThat(seen).as("jittered").hasSizeGreaterThan(100);
    }
    assertThat(b.delayNanos(Integer.MAX_VALUE)).isLessThanOrEqualTo(Duration.ofSeconds(2).toNanos());
  }
}

package dev.auditkit.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.auditkit.core.internal.UuidV7;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class UuidV7Test {

  @Test
  void eightThreads_getUniqueIds_strictlyIncreasingWithinEachThread() throws Exception {
    UuidV7 gen = new UuidV7(Clock.systemUTC());
    int threads = 8;
    int perThread = 50_000;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Callable<List<UUID>>> tasks = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        tasks.add(() -> {
          List<UUID> ids = new ArrayList<>(perThread);
          for (int i = 0; i < perThread; i++) {
            ids.add(gen.next());
          }
          return ids;
        });
      }
      Set<UUID> all = new HashSet<>();
      for (Future<List<UUID>> f : pool.invokeAll(tasks)) {
        List<UUID> ids = f.get();
        for (int i = 1; i < ids.size(); i++) {
          assertThat(compareUnsigned(ids.get(i - 1), ids.get(i))).as("ids of one thread increase").isNegative();
        }
        all.addAll(ids);
      }
      assertThat(all).hasSize(threads * perThread);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void idsFromOneGenerator_areStrictlyIncreasingInIssueOrder_evenWithAFrozenClock() {
    UuidV7 gen = new UuidV7(Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC));
    UUID prev = gen.next();
    for (int i = 0; i < 20_000; i++) { // more than the 4096 counter values of one millisecond
      UUID next = gen.next();
      assertThat(compareUnsigned(prev, next)).isNegative();
      prev = next;
    }
  }

  @Test
  void aClockSteppingBackwards_neverMakesIdsGoBackwards() {
    AtomicLong millis = new AtomicLong(1_800_000_000_000L);
    Clock clock = new Clock() {
      @Override
      public ZoneOffset getZone() {
        return ZoneOffset.UTC;
      }

      @Override
      public Clock withZone(java.time.ZoneId zone) {
        return this;
      }

      @Override
      public Instant instant() {
        return Instant.ofEpochMilli(millis.get());
      }
    };
    UuidV7 gen = new UuidV7(clock);
    UUID a = gen.next();
    millis.addAndGet(-60_000);
    UUID b = gen.next();
    assertThat(compareUnsigned(a, b)).isNegative();
  }

  @Test
  void layout_followsRfc9562() {
    Instant t = Instant.parse("2026-11-22T10:00:00.123Z");
    UUID id = new UuidV7(Clock.fixed(t, ZoneOffset.UTC)).next();
    assertThat(id.version()).isEqualTo(7);
    assertThat(id.variant()).isEqualTo(2);
    assertThat(UuidV7.timestampMillis(id)).isEqualTo(t.toEpochMilli());
    assertThat(id.toString()).startsWith(String.format("%08x", t.toEpochMilli() >>> 16));
  }

  /** Byte order, the order PostgreSQL's uuid type and the string form sort in. */
  private static int compareUnsigned(UUID a, UUID b) {
    int c = Long.compareUnsigned(a.getMostSignificantBits(), b.getMostSignificantBits());
    return c != 0 ? c : Long.compareUnsigned(a.getLeastSignificantBits(), b.getLeastSignificantBits());
  }
}

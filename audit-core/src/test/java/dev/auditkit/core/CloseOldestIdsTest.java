package dev.auditkit.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** close names the 100 oldest unshipped events, also when older ones were refused later. */
class CloseOldestIdsTest {
  @TempDir Path dir;

  @Test
  void refusedInJournalOnly_olderOnesRefusedLater_areStillNamed() throws Exception {
    // run 1: the store is down; 300 events stay in the journal
    GatedSink down = new GatedSink().failAlways(true);
    AuditLog first = AuditLog.builder().store(down).delivery(Delivery.ASYNC).journal(dir)
        .retryBackoff(Duration.ofMillis(1), Duration.ofMillis(5)).closeTimeout(Duration.ofMillis(200)).build();
    Set<UUID> old = new HashSet<>();
    for (int i = 0; i < 300; i++) {
      old.add(first.logAction("old.action", "job", "o-" + i, Map.of("i", i)));
    }
    assertThatThrownBy(first::close).isInstanceOf(UnshippedEventsException.class);
    Thread.sleep(20);

    // run 2: the store refuses every event; the first write waits until fresh events were logged
    CountDownLatch gate = new CountDownLatch(1);
    AuditSink refusing = events -> {
      try {
        gate.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      throw new AuditWriteException("check constraint refuses it (test)", null, true);
    };
    AuditLog second = AuditLog.builder().store(refusing).delivery(Delivery.ASYNC).journal(dir).queueCapacity(2)
        .batchSize(10).spillAfter(Duration.ofMillis(1)).retryBackoff(Duration.ofMillis(1), Duration.ofSeconds(60))
        .closeTimeout(Duration.ofSeconds(1)).build();
    List<UUID> fresh = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      fresh.add(second.logAction("new.action", "job", "n-" + i, Map.of("i", i)));
    }
    gate.countDown();
    Await.until("all refused", Duration.ofSeconds(20), () -> second.health().refused() == 500);
    assertThatThrownBy(second::close).isInstanceOfSatisfying(UnshippedEventsException.class, e -> {
      assertThat(e.count()).isEqualTo(500);
      assertThat(e.oldestIds()).hasSize(100);
      // 300 events of run 1 are unshipped, every one older than any of run 2: the 100 oldest are all run 1's
      assertThat(e.oldestIds()).as("ids named that are run 2's").doesNotContainAnyElementsOf(fresh);
    });
  }
}

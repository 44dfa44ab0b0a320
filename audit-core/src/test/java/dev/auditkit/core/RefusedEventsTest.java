package dev.auditkit.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store that refuses some events for what they hold (a constraint, a data error: {@link
 * AuditWriteException#refused()}) must not hold every other event back. ASYNC halves the batch
 * until each refused event stands alone, ships the rest, and sets the refused ones aside: counted
 * and named in health, never dropped (in the journal, offered again on the next start; without a
 * journal, named by close). A store that is down (not refused) still gets whole batches retried.
 */
class RefusedEventsTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  @TempDir Path dir;

  /** Refuses every batch that holds an event whose action is in {@code refused}; stores the others. */
  static class PickySink implements AuditSink {
    final InMemoryAuditStore store = new InMemoryAuditStore();
    final Set<String> refused = ConcurrentHashMap.newKeySet();
    final AtomicInteger writes = new AtomicInteger();

    @Override
    public void write(List<AuditEvent> events) {
      writes.incrementAndGet();
      for (AuditEvent e : events) {
        if (refused.contains(e.action())) {
          throw new AuditWriteException("check constraint refuses " + e.action(), null, true);
        }
      }
      store.write(events);
    }
  }

  private static List<UUID> logMixed(AuditLog audit, List<UUID> refusedIds) {
    List<UUID> accepted = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      boolean bad = i == 0 || i == 137 || i == 299;
      UUID id = audit.logAction(bad ? "bad.action" : "good.action", "job", "j-" + i, java.util.Map.of("i", i));
      (bad ? refusedIds : accepted).add(id);
    }
    return accepted;
  }

  @Test
  void withoutAJournal_theOthersAreShipped_theRefusedAreCountedAndNamedAtClose() {
    PickySink sink = new PickySink();
    sink.refused.add("bad.action");
    AuditLog audit = AuditLog.builder().store(sink).delivery(Delivery.ASYNC).batchSize(100)
        .retryBackoff(Duration.ofMillis(1), Duration.ofSeconds(30)).build();
    List<UUID> refused = new ArrayList<>();
    List<UUID> accepted = logMixed(audit, refused);
    Await.until("the others shipped", WAIT, () -> sink.store.size() == accepted.size());
    Await.until("refused counted", WAIT, () -> audit.health().refused() == 3);
    assertThat(sink.store.events()).extracting(AuditEvent::id).containsExactlyInAnyOrderElementsOf(accepted);
    DeliveryHealth h = audit.health();
    assertThat(h.healthy()).isFalse();
    assertThat(h.consecutiveFailures()).isZero();
    assertThat(h.unshipped()).isEqualTo(3);
    assertThat(h.lastError()).hasValueSatisfying(m -> assertThat(m).contains("refused").contains("bad.action"));
    // the refused events wait too: the oldest unshipped age grows while they are set aside
    Await.until("refused events age", WAIT, () -> audit.health().oldestUnshippedAge().toMillis() >= 50);
    assertThatThrownBy(audit::close).isInstanceOfSatisfying(UnshippedEventsException.class, e -> {
      assertThat(e.count()).isEqualTo(3);
      assertThat(e.oldestIds()).containsExactlyInAnyOrderElementsOf(refused);
      assertThat(e.retainedInJournal()).isFalse();
      assertThat(e.getMessage()).contains("LOST (no journal)");
    });
  }

  @Test
  void withAJournal_theRefusedStayInIt_andAreShippedOnceTheStoreTakesThem() {
    PickySink sink = new PickySink();
    sink.refused.add("bad.action");
    AuditLog audit = AuditLog.builder().store(sink).delivery(Delivery.ASYNC).journal(dir).batchSize(100)
        .retryBackoff(Duration.ofMillis(1), Duration.ofSeconds(30)).closeTimeout(Duration.ofSeconds(2)).build();
    List<UUID> refused = new ArrayList<>();
    List<UUID> accepted = logMixed(audit, refused);
    Await.until("the others shipped", WAIT, () -> sink.store.size() == accepted.size());
    Await.until("refused counted", WAIT, () -> audit.health().refused() == 3);
    assertThatThrownBy(audit::close).isInstanceOfSatisfying(UnshippedEventsException.class, e -> {
      assertThat(e.oldestIds()).containsExactlyInAnyOrderElementsOf(refused);
      assertThat(e.retainedInJournal()).isTrue();
    });

    // the constraint is fixed; the next start offers the kept segment again: the store ends with
    // every event exactly once (it ignores ids it already has)
    sink.refused.clear();
    try (AuditLog again = AuditLog.builder().store(sink).delivery(Delivery.ASYNC).journal(dir).build()) {
      Await.until("replayed", WAIT, () -> sink.store.size() == 300);
      assertThat(again.health().refused()).isZero();
    }
    List<UUID> all = new ArrayList<>(accepted);
    all.addAll(refused);
    assertThat(sink.store.events()).extracting(AuditEvent::id).containsExactlyInAnyOrderElementsOf(all);
  }

  @Test
  void setAsideEvents_areOfferedAgain_andShippedOnceTheStoreTakesThem() {
    PickySink sink = new PickySink();
    sink.refused.add("bad.action");
    AuditLog audit = AuditLog.builder().store(sink).delivery(Delivery.ASYNC).batchSize(100)
        .retryBackoff(Duration.ofMillis(1), Duration.ofMillis(300)).build();
    List<UUID> refused = new ArrayList<>();
    List<UUID> accepted = logMixed(audit, refused);
    Await.until("the others shipped", WAIT, () -> sink.store.size() == accepted.size());
    int writes = sink.writes.get();
    Await.until("offered again while refused", WAIT, () -> sink.writes.get() > writes + 3);
    assertThat(sink.store.size()).isEqualTo(accepted.size());
    sink.refused.clear(); // the constraint is fixed
    Await.until("all shipped", WAIT, () -> sink.store.size() == 300);
    Await.until("nothing refused any more", WAIT, () -> audit.health().refused() == 0);
    assertThat(audit.health().healthy()).isTrue();
    assertThat(audit.health().unshipped()).isZero();
    assertThat(audit.health().oldestUnshippedAge()).isZero();
    audit.close();
  }

  /**
   * Refused events beyond what can be set aside wait in the journal only, until the next start;
   * they are unshipped too, so they count in the age.
   */
  @Test
  void refusedEventsHeldOnlyByTheJournal_countInTheAge() {
    PickySink sink = new PickySink();
    sink.refused.add("bad.action");
    AuditLog audit = AuditLog.builder().store(sink).delivery(Delivery.ASYNC).journal(dir).queueCapacity(2)
        .batchSize(1).retryBackoff(Duration.ofMillis(1), Duration.ofMillis(200)).closeTimeout(Duration.ofSeconds(2))
        .build();
    for (int i = 0; i < 3; i++) {
      audit.logAction("bad.action", "job", "j-" + i, java.util.Map.of("i", i));
      int n = i + 1;
      Await.until("refused " + n, WAIT, () -> audit.health().refused() == n);
    }
    // the last is held by the journal only: take the set-aside ones away, and the age must stay
    sink.refused.clear();
    Await.until("the set-aside ones shipped", WAIT, () -> sink.store.size() == 2);
    assertThat(audit.health().refused()).isEqualTo(1);
    Await.until("the journal-only one ages", WAIT, () -> audit.health().oldestUnshippedAge().toMillis() >= 50);
    assertThatThrownBy(audit::close).isInstanceOf(UnshippedEventsException.class);
  }

  /**
   * While refused events are offered again and again, the age never drops: an event moving from
   * set aside to the batch in flight and back is always in one of them for health.
   */
  @Test
  void theAgeNeverDrops_whileRefusedEventsAreOfferedAgain() throws Exception {
    PickySink sink = new PickySink();
    sink.refused.add("bad.action");
    AuditLog audit = AuditLog.builder().store(sink).delivery(Delivery.ASYNC).batchSize(100)
        .retryBackoff(Duration.ofNanos(1), Duration.ofNanos(1)).build();
    audit.logAction("bad.action", "job", "j-1", java.util.Map.of());
    Await.until("refused", WAIT, () -> audit.health().refused() == 1);
    int writes = sink.writes.get();
    long last = 0;
    long samples = 0;
    while (sink.writes.get() < writes + 2_000 && samples < 5_000_000) {
      long age = audit.health().oldestUnshippedAge().toNanos();
      assertThat(age).as("sample %d", samples).isGreaterThanOrEqualTo(last);
      last = age;
      samples++;
    }
    assertThat(sink.writes.get()).as("offered again").isGreaterThan(writes + 100);
    sink.refused.clear();
    Await.until("shipped", WAIT, () -> sink.store.size() == 1);
    audit.close();
  }

  @Test
  void closingWhileABatchIsHalved_namesExactlyTheEventsNotStored() {
    PickySink sink = new PickySink() {
      @Override
      public void write(List<AuditEvent> events) {
        try {
          Thread.sleep(40);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        super.write(events);
      }
    };
    sink.refused.add("bad.action");
    AuditLog audit = AuditLog.builder().store(sink).delivery(Delivery.ASYNC).batchSize(64)
        .batchDelay(Duration.ofMillis(200)).retryBackoff(Duration.ofMillis(1), Duration.ofSeconds(30))
        .closeTimeout(Duration.ofMillis(150)).build();
    for (int i = 0; i < 64; i++) {
      audit.logAction(i == 40 ? "bad.action" : "good.action", "job", "j-" + i, java.util.Map.of("i", i));
    }
    assertThatThrownBy(audit::close).isInstanceOfSatisfying(UnshippedEventsException.class, e -> {
      Set<UUID> stored = new java.util.HashSet<>();
      sink.store.events().forEach(ev -> stored.add(ev.id()));
      assertThat(e.count()).isEqualTo(64 - stored.size());
      assertThat(e.oldestIds()).hasSize((int) e.count()).doesNotContainAnyElementsOf(stored);
    });
  }

  @Test
  void aStoreThatIsDown_isNotTakenForARefusal_wholeBatchesAreRetried() {
    GatedSink sink = new GatedSink().failFirst(3);
    AuditLog audit = AuditLog.builder().store(sink).delivery(Delivery.ASYNC).batchSize(50)
        .batchDelay(Duration.ofMillis(50)).retryBackoff(Duration.ofMillis(1), Duration.ofMillis(5)).build();
    for (int i = 0; i < 50; i++) {
      audit.viewed("job", "j-" + i);
    }
    Await.until("shipped", WAIT, () -> sink.store.size() == 50);
    assertThat(audit.health().refused()).isZero();
    assertThat(sink.batchSizes).allSatisfy(n -> assertThat(n).isGreaterThan(1));
    audit.close();
  }
}

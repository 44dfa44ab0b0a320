package dev.auditkit.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AsyncDeliveryTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  private static AuditLog.Builder async(AuditSink sink) {
    return AuditLog.builder().store(sink).delivery(Delivery.ASYNC).retryBackoff(Duration.ofMillis(1), Duration.ofMillis(20));
  }

  @Test
  void appendReturnsBeforeTheStoreWrites_andTheWriterShipsEverythingInBatches() {
    GatedSink sink = new GatedSink().hold();
    AuditLog audit = async(sink).batchSize(50).batchDelay(Duration.ofMillis(20)).build();
    List<UUID> ids = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      ids.add(audit.logAction("export_report", "report", "r-" + i, null));
    }
    assertThat(sink.store.size()).isZero();
    assertThat(audit.health().unshipped()).isEqualTo(1000);
    sink.release();
    Await.until("all shipped", WAIT, () -> sink.store.size() == 1000);
    assertThat(sink.store.events()).extracting(AuditEvent::id).containsExactlyElementsOf(ids);
    assertThat(sink.batchSizes).allMatch(n -> n <= 50);
    assertThat(sink.batchSizes.size()).isLessThan(1000 / 2);
    DeliveryHealth h = audit.health();
    assertThat(h.shipped()).isEqualTo(1000);
    assertThat(h.unshipped()).isZero();
    assertThat(h.queueDepth()).isZero();
    assertThat(h.oldestUnshippedAge()).isEqualTo(Duration.ZERO);
    assertThat(h.healthy()).isTrue();
    audit.close();
    assertThat(sink.closes.get()).isEqualTo(1);
  }

  @Test
  void theCallerStillValidatesAndSanitises() {
    GatedSink sink = new GatedSink();
    try (AuditLog audit = async(sink).build()) {
      assertThatThrownBy(() -> audit.logAction(" ", "invoice", "1", null))
          .isInstanceOf(InvalidAuditEventException.class).hasMessageContaining("action");
      audit.appendAuditLog(AuditEvent.builder().action("login").resource("user", "u\u0000-1").userAgent("a\nb"));
      Await.until("shipped", WAIT, () -> sink.store.size() == 1);
      AuditEvent e = sink.store.events().get(0);
      assertThat(e.resource().id()).isEqualTo("u-1");
      assertThat(e.request().userAgent()).doesNotContain("\n");
    }
  }

  @Test
  void aQueueSmallerThanABatch_isShippedWhenFull_notAfterTheBatchDelay() throws Exception {
    GatedSink sink = new GatedSink();
    // a batch could never fill this queue: the writer must not wait out the (long) delay while
    // callers block on the full queue
    try (AuditLog audit = async(sink).queueCapacity(4).batchSize(500).batchDelay(Duration.ofSeconds(60)).build()) {
      ExecutorService pool = Executors.newSingleThreadExecutor();
      try {
        Future<?> producer = pool.submit(() -> {
          for (int i = 0; i < 50; i++) {
            audit.logAction("export_report", "report", "r-" + i, null);
          }
        });
        // callers got through a queue of 4 without waiting out the delay (a minute) at every batch
        producer.get(20, TimeUnit.SECONDS);
      } finally {
        pool.shutdownNow();
      }
    }
    assertThat(sink.store.size()).isEqualTo(50);
  }

  @Test
  void block_makesTheCallerWaitWhileTheQueueIsFull_andLosesNothing() throws Exception {
    GatedSink sink = new GatedSink().hold();
    AuditLog audit = async(sink).queueCapacity(4).batchSize(1).batchDelay(Duration.ZERO).build();
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<?> producer = pool.submit(() -> {
        for (int i = 0; i < 20; i++) {
          audit.viewed("job", "j-" + i);
        }
      });
      Await.until("queue full", WAIT, () -> audit.health().queueDepth() == 4);
      Await.until("the caller waits", WAIT, () -> audit.health().callersWaiting() == 1);
      Thread.sleep(100);
      assertThat(producer).isNotDone();
      assertThat(audit.health().dropped()).isZero();
      sink.release();
      producer.get(10, TimeUnit.SECONDS);
      assertThat(audit.health().callersWaiting()).isZero();
      audit.close();
      assertThat(sink.store.size()).isEqualTo(20);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void dropCounted_dropsWhenFull_andCountsEveryDrop() {
    GatedSink sink = new GatedSink().hold();
    AuditLog audit = async(sink).queueCapacity(5).overflow(OverflowPolicy.DROP_COUNTED).batchSize(1)
        .batchDelay(Duration.ZERO).build();
    audit.viewed("job", "first");
    Await.until("writer took the first event", WAIT, () -> sink.attempts.get() == 1);
    for (int i = 0; i < 30; i++) {
      audit.viewed("job", "j-" + i);
    }
    DeliveryHealth h = audit.health();
    assertThat(h.dropped()).isEqualTo(25);
    assertThat(h.healthy()).isFalse();
    assertThat(h.lastError()).hasValueSatisfying(m -> assertThat(m).contains("dropped").contains("25 in total"));
    sink.release();
    audit.close();
    assertThat(sink.store.size()).isEqualTo(6);
    assertThat(audit.health().shipped() + audit.health().dropped()).isEqualTo(31);
  }

  @Test
  void aFailingStore_isRetriedWithBackoff_untilItAcceptsTheBatch() {
    GatedSink sink = new GatedSink().failFirst(5);
    AuditLog audit = async(sink).batchSize(100).build();
    for (int i = 0; i < 10; i++) {
      audit.viewed("job", "j-" + i);
    }
    Await.until("shipped after retries", WAIT, () -> sink.store.size() == 10);
    assertThat(sink.attempts.get()).isGreaterThanOrEqualTo(6);
    // the writer resets the failure count right after the store returns: wait for that step too
    Await.until("failure count reset", WAIT, () -> audit.health().consecutiveFailures() == 0);
    DeliveryHealth h = audit.health();
    assertThat(h.consecutiveFailures()).isZero();
    assertThat(h.lastError()).hasValueSatisfying(m -> assertThat(m).contains("store is down"));
    assertThat(h.lastErrorAt()).isPresent();
    audit.close();
  }

  @Test
  void health_reportsFailuresAndTheAgeOfTheOldestWaitingEvent_duringAnOutage() {
    GatedSink sink = new GatedSink().failAlways(true);
    AuditLog audit = async(sink).closeTimeout(Duration.ZERO).build();
    audit.viewed("job", "1");
    Await.until("failures counted", WAIT, () -> audit.health().consecutiveFailures() >= 3);
    Await.until("age grows", WAIT, () -> audit.health().oldestUnshippedAge().toMillis() >= 30);
    DeliveryHealth h = audit.health();
    assertThat(h.unshipped()).isEqualTo(1);
    assertThat(h.healthy()).isFalse();
    assertThat(h.toString()).contains("unshipped=1");
    assertThatThrownBy(audit::close).isInstanceOf(UnshippedEventsException.class);
  }

  @Test
  void close_shipsEverythingQueued() {
    GatedSink sink = new GatedSink().hold();
    AuditLog audit = async(sink).batchSize(10).build();
    for (int i = 0; i < 500; i++) {
      audit.viewed("job", "j-" + i);
    }
    sink.release();
    audit.close();
    assertThat(sink.store.size()).isEqualTo(500);
    assertThat(sink.closes.get()).isEqualTo(1);
  }

  @Test
  void close_namesWhatItCouldNotShip_andStillClosesTheStore() {
    GatedSink sink = new GatedSink().failAlways(true);
    AuditLog audit = async(sink).closeTimeout(Duration.ofMillis(200)).build();
    List<UUID> ids = new ArrayList<>();
    for (int i = 0; i < 150; i++) {
      ids.add(audit.viewed("job", "j-" + i));
    }
    assertThatThrownBy(audit::close)
        .isInstanceOfSatisfying(UnshippedEventsException.class, e -> {
          assertThat(e.count()).isEqualTo(150);
          assertThat(e.oldestIds()).containsExactlyElementsOf(ids.subList(0, 100));
          assertThat(e.retainedInJournal()).isFalse();
          assertThat(e.getMessage()).contains("150 audit event(s)").contains("LOST").contains(ids.get(0).toString())
              .contains("store is down");
        });
    assertThat(sink.closes.get()).isEqualTo(1);
    assertThatThrownBy(() -> audit.viewed("job", "late")).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
    audit.close(); // a second close is a no-op
  }

  /** Acceptance 4: shutdown under load ships everything or names exactly what it did not. */
  @Test
  void closeUnderLoad_everyAcknowledgedEventIsShippedOrNamed() throws Exception {
    for (boolean slowStore : new boolean[] {false, true}) {
      InMemoryAuditStore store = new InMemoryAuditStore();
      AuditSink sink = batch -> {
        if (slowStore) {
          sleep(20);
        }
        store.write(batch);
      };
      AuditLog audit = async(sink).queueCapacity(20_000).batchSize(100)
          .closeTimeout(slowStore ? Duration.ofMillis(100) : Duration.ofSeconds(20)).build();
      Set<UUID> acknowledged = ConcurrentHashMap.newKeySet();
      AtomicBoolean stop = new AtomicBoolean();
      ExecutorService pool = Executors.newFixedThreadPool(4);
      CountDownLatch started = new CountDownLatch(4);
      List<Future<?>> producers = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        producers.add(pool.submit(() -> {
          started.countDown();
          while (!stop.get()) {
            try {
              acknowledged.add(audit.viewed("job", "x"));
            } catch (IllegalStateException closed) {
              return;
            }
          }
        }));
      }
      started.await();
      Await.until("load running", WAIT, () -> acknowledged.size() > 5_000);
      UnshippedEventsException report = null;
      try {
        audit.close();
      } catch (UnshippedEventsException e) {
        report = e;
      }
      stop.set(true);
      for (Future<?> f : producers) {
        f.get(10, TimeUnit.SECONDS);
      }
      pool.shutdown();
      Set<UUID> stored = ConcurrentHashMap.newKeySet();
      store.events().forEach(e -> stored.add(e.id()));
      long missing = acknowledged.stream().filter(id -> !stored.contains(id)).count();
      if (slowStore) {
        assertThat(report).as("a slow store cannot take the backlog in 100 ms").isNotNull();
        assertThat(report.count()).isEqualTo(missing).isPositive();
        assertThat(report.oldestIds()).hasSize(100).allMatch(acknowledged::contains).noneMatch(stored::contains);
      } else {
        assertThat(report).isNull();
        assertThat(missing).isZero();
      }
      assertThat(stored).isSubsetOf(acknowledged);
    }
  }

  @Test
  void sync_healthIsEmpty() {
    try (AuditLog audit = AuditLog.builder().store(new InMemoryAuditStore()).build()) {
      DeliveryHealth h = audit.health();
      assertThat(h.delivery()).isEqualTo(Delivery.SYNC);
      assertThat(h.queueCapacity()).isZero();
      assertThat(h.healthy()).isTrue();
      assertThat(h.lastError()).isEmpty();
    }
  }

  @Test
  void builder_refusesBadAsyncSettings(@TempDir Path dir) throws Exception {
    AuditLog.Builder b = AuditLog.builder().store(new InMemoryAuditStore());
    assertThatThrownBy(() -> b.queueCapacity(0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("queueCapacity");
    assertThatThrownBy(() -> b.queueCapacity(-5)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.batchSize(0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("batchSize");
    assertThatThrownBy(() -> b.batchSize(1_000_000)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.batchDelay(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("batchDelay");
    assertThatThrownBy(() -> b.batchDelay(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.retryBackoff(Duration.ZERO, Duration.ofSeconds(1))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("retryBackoff");
    assertThatThrownBy(() -> b.retryBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.retryBackoff(null, Duration.ofSeconds(1))).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> b.closeTimeout(Duration.ofDays(2))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("closeTimeout");
    assertThatThrownBy(() -> b.overflow(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> b.journalDurability(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> b.journal(null)).isInstanceOf(NullPointerException.class);
    Path file = Files.writeString(dir.resolve("a-file"), "x");
    assertThatThrownBy(() -> b.journal(file)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("directory");

    assertThatThrownBy(() -> AuditLog.builder().store(new InMemoryAuditStore()).journal(dir).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("Delivery.ASYNC");
    assertThatThrownBy(() -> AuditLog.builder().store(new InMemoryAuditStore()).delivery(Delivery.ASYNC)
        .journal(dir).overflow(OverflowPolicy.DROP_COUNTED).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("DROP_COUNTED");
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Appends racing with close: every call that returned is either stored or counted by close's
   * exception; none is left behind silently (a call that met the closing log throws instead).
   */
  @Test
  void appendsRacingWithClose_areStoredOrCounted_neverLostSilently() throws Exception {
    for (int round = 0; round < 20; round++) {
      InMemoryAuditStore store = new InMemoryAuditStore();
      AuditSink slow = events -> {
        Await.nap(1);
        store.write(events);
      };
      AuditLog audit = AuditLog.builder().store(slow).delivery(Delivery.ASYNC).queueCapacity(100_000).batchSize(50)
          .closeTimeout(Duration.ofMillis(20)).closeOnShutdown(false).build();
      java.util.concurrent.atomic.AtomicLong returned = new java.util.concurrent.atomic.AtomicLong();
      List<Thread> writers = new java.util.ArrayList<>();
      for (int t = 0; t < 4; t++) {
        Thread w = new Thread(() -> {
          try {
            while (true) {
              audit.logAction("race.append", "job", "j", java.util.Map.of());
              returned.incrementAndGet();
            }
          } catch (IllegalStateException closed) {
            // the log closed: this call was not acknowledged
          }
        });
        w.start();
        writers.add(w);
      }
      Thread.sleep(30);
      long unshipped = 0;
      try {
        audit.close();
      } catch (UnshippedEventsException e) {
        unshipped = e.count();
      }
      for (Thread w : writers) {
        w.join(10_000);
        assertThat(w.isAlive()).isFalse();
      }
      assertThat(store.size() + unshipped).as("round %d", round).isEqualTo(returned.get());
    }
  }

  /**
   * An event the writer has taken from the queue while it waits for a batch to fill is neither
   * queued nor in flight yet; health's age still counts it.
   */
  @Test
  void anEventTakenIntoABatchThatIsStillFilling_countsInTheAge() throws Exception {
    InMemoryAuditStore store = new InMemoryAuditStore();
    try (AuditLog audit = AuditLog.builder().store(store).delivery(Delivery.ASYNC).batchSize(1000)
        .batchDelay(Duration.ofSeconds(3)).closeOnShutdown(false).build()) {
      audit.logAction("slow.batch", "job", "j", java.util.Map.of());
      Thread.sleep(300);
      assertThat(store.size()).as("the batch is still filling").isZero();
      assertThat(audit.health().unshipped()).isEqualTo(1);
      assertThat(audit.health().oldestUnshippedAge().toMillis()).isGreaterThanOrEqualTo(250);
    }
  }

  /**
   * A sink that closes the log from inside its own write would wait for itself (the writer thread)
   * until closeTimeout: that close is refused, the log stays open and ships, and a close from
   * another thread then works.
   */
  @Test
  void closeFromInsideTheSink_isRefused_andTheLogStaysOpen() {
    java.util.concurrent.atomic.AtomicReference<AuditLog> log = new java.util.concurrent.atomic.AtomicReference<>();
    java.util.concurrent.atomic.AtomicReference<RuntimeException> refused = new java.util.concurrent.atomic.AtomicReference<>();
    List<AuditEvent> written = new java.util.concurrent.CopyOnWriteArrayList<>();
    AuditSink closing = events -> {
      if (refused.get() == null) {
        try {
          log.get().close();
          refused.set(new RuntimeException("close() returned"));
        } catch (RuntimeException e) {
          refused.set(e);
        }
      }
      written.addAll(events);
    };
    AuditLog audit = async(closing).closeTimeout(Duration.ofSeconds(30)).build();
    log.set(audit);
    UUID id = audit.viewed("job", "1");
    Await.until("written", WAIT, () -> written.size() == 1);
    assertThat(refused.get()).isInstanceOf(IllegalStateException.class).hasMessageContaining("AuditSink.write");
    UUID second = audit.viewed("job", "2"); // still open
    long t0 = System.nanoTime();
    audit.close();
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
    assertThat(written).extracting(AuditEvent::id).containsExactly(id, second);
  }

  /** Without a journal (or while it cannot be written) BLOCK would hold the writer waiting for room only it makes. */
  @Test
  void theWriterRecordingIntoAFullQueue_doesNotWaitForItself() throws Exception {
    java.util.concurrent.atomic.AtomicReference<AuditLog> log = new java.util.concurrent.atomic.AtomicReference<>();
    List<AuditEvent> written = new java.util.concurrent.CopyOnWriteArrayList<>();
    AtomicBoolean once = new AtomicBoolean();
    java.util.concurrent.atomic.AtomicInteger depthSeen = new java.util.concurrent.atomic.AtomicInteger(-1);
    AuditSink nested = batch -> {
      if (once.compareAndSet(false, true)) {
        for (int i = 0; i < 5; i++) {
          log.get().viewed("job", "nested-" + i); // the queue holds 2
        }
        depthSeen.set(log.get().health().queueDepth());
      }
      written.addAll(batch);
    };
    AuditLog audit = async(nested).queueCapacity(2).batchSize(10).build();
    log.set(audit);
    audit.viewed("job", "first");
    Await.until("all shipped", WAIT, () -> written.size() == 6);
    assertThat(written).extracting(e -> e.resource().id()).containsExactlyInAnyOrder("first", "nested-0", "nested-1",
        "nested-2", "nested-3", "nested-4");
    assertThat(depthSeen.get()).as("health counts the writer's own waiting events").isEqualTo(5);
    assertThat(audit.health().unshipped()).isZero();
    audit.close();
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.EnumSource(JournalDurability.class)
  void aCallerWithItsInterruptFlagSet_doesNotTurnTheJournalOff_andKeepsItsFlag(JournalDurability durability,
      @TempDir Path dir) throws Exception {
    InMemoryAuditStore store = new InMemoryAuditStore();
    AuditLog audit = async(store).journal(dir).journalDurability(durability).build();
    UUID id;
    Thread.currentThread().interrupt(); // a request thread whose task was cancelled, say
    try {
      id = audit.viewed("job", "interrupted-caller");
    } finally {
      assertThat(Thread.interrupted()).as("the flag is the caller's").isTrue();
    }
    UUID next = audit.viewed("job", "next-caller");
    DeliveryHealth h = audit.health();
    assertThat(h.journalDegraded()).as(h.toString()).isFalse();
    assertThat(h.lastError()).isEmpty();
    Await.until("shipped", WAIT, () -> audit.health().unshipped() == 0);
    assertThat(store.events()).extracting(AuditEvent::id).containsExactly(id, next);
    audit.close();
    try (java.util.stream.Stream<Path> s = Files.list(dir)) {
      assertThat(s.filter(p -> p.toString().endsWith(".journal"))).as("shipped, so removed").isEmpty();
    }
  }

  /** A sink that restores an interrupt and then throws (a common driver pattern) leaves the writer's flag set. */
  @Test
  void aSinkLeavingTheInterruptFlagSet_doesNotStopTheWriter() {
    GatedSink store = new GatedSink();
    AtomicBoolean once = new AtomicBoolean();
    AuditSink sink = events -> {
      if (once.compareAndSet(false, true)) {
        Thread.currentThread().interrupt();
        throw new AuditWriteException("interrupted (test)");
      }
      store.write(events);
    };
    AuditLog audit = async(sink).build();
    audit.viewed("job", "1");
    Await.until("the first write failed", WAIT, once::get);
    Await.nap(200); // the writer is in its backoff, or past it
    audit.viewed("job", "2");
    Await.until("both shipped", WAIT, () -> store.store.size() == 2);
    assertThat(audit.health().unshipped()).isZero();
    audit.close();
  }
}

package dev.auditkit.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.auditkit.core.internal.JournalScan;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * With a journal, a full queue does not hold callers up: the event is journaled as always and left
 * there (spilled) until the writer, having shipped the queue, reads it back. Every event arrives
 * once, in the order the journal took them, and the queue is used again once the writer caught up.
 */
class JournalSpillTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  @TempDir Path dir;

  private AuditLog.Builder journaled(AuditSink sink, JournalDurability durability) {
    return AuditLog.builder().store(sink).delivery(Delivery.ASYNC).journal(dir).journalDurability(durability)
        .retryBackoff(Duration.ofMillis(1), Duration.ofMillis(20));
  }

  /** A small queue and 4 KiB segments: what a held sink does not take spills over many segments. */
  private AuditLog.Builder spillingOverSmallSegments(AuditSink sink) {
    return journaled(sink, JournalDurability.PROCESS_CRASH).queueCapacity(4).batchSize(10).journalSegmentBytes(4096);
  }

  private static List<UUID> spill200(AuditLog audit) {
    List<UUID> ids = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      ids.add(audit.viewed("job", "j-" + i));
    }
    return ids;
  }

  private List<Path> segments() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".journal")).sorted().collect(Collectors.toList());
    }
  }

  @ParameterizedTest
  @EnumSource(JournalDurability.class)
  void aFullQueue_doesNotHoldTheCallerUp_andEveryEventArrivesOnce_inOrder(JournalDurability durability)
      throws Exception {
    GatedSink sink = new GatedSink().hold(); // the store is stuck: nothing is shipped
    AuditLog audit = journaled(sink, durability).queueCapacity(8).batchSize(50).build();
    List<UUID> ids = new ArrayList<>();
    int n = durability == JournalDurability.POWER_LOSS ? 300 : 2_000; // one fsync per call there
    // with BLOCK and no spill the ninth call would wait for the stuck store (30 s)
    assertTimeoutPreemptively(Duration.ofSeconds(15), () -> {
      for (int i = 0; i < n; i++) {
        ids.add(audit.updated("invoice", "inv-" + i, Map.of("status", "open"), Map.of("status", "paid")));
      }
    });
    Thread.sleep(30);
    DeliveryHealth h = audit.health();
    assertThat(h.queueDepth()).isLessThanOrEqualTo(8);
    assertThat(h.journalOnly()).isBetween((long) n - 8 - 50, (long) n);
    assertThat(h.unshipped()).isEqualTo(n);
    assertThat(h.oldestUnshippedAge()).isGreaterThanOrEqualTo(Duration.ofMillis(30));
    assertThat(h.healthy()).as("spilling is not a failure").isTrue();
    assertThat(sink.store.size()).isZero();

    sink.release();
    Await.until("all shipped", WAIT, () -> audit.health().unshipped() == 0);
    assertThat(sink.store.events()).extracting(AuditEvent::id).containsExactlyElementsOf(ids);
    assertThat(sink.batchSizes.stream().mapToInt(Integer::intValue).sum()).as("written once each").isEqualTo(n);
    AuditEvent e = sink.store.events().get(n - 1);
    assertThat(e.resource().id()).isEqualTo("inv-" + (n - 1));
    assertThat(e.changes()).singleElement().satisfies(c -> assertThat(c.path()).isEqualTo("status"));
    h = audit.health();
    assertThat(h.journalOnly()).isZero();
    assertThat(h.oldestUnshippedAge()).isZero();
    audit.close();
    assertThat(segments()).isEmpty();
  }

  @Test
  void spilledEventsAcrossManySegments_areReadBack_andEverySegmentIsRemovedOnceShipped() throws Exception {
    GatedSink sink = new GatedSink().hold();
    AuditLog audit = journaled(sink, JournalDurability.PROCESS_CRASH).journalSegmentBytes(4096).queueCapacity(4)
        .batchSize(7).build();
    List<UUID> ids = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      ids.add(audit.logAction("export_report", "report", "r-" + i, Map.of("i", i)));
    }
    assertThat(segments()).hasSizeGreaterThan(10);
    sink.release();
    Await.until("all shipped", WAIT, () -> sink.store.size() == 500);
    assertThat(sink.store.events()).extracting(AuditEvent::id).containsExactlyElementsOf(ids);
    Await.until("shipped segments removed", WAIT, () -> Await.uncheck(this::segments).size() == 1);
    assertThat(audit.health().journalBytes()).isLessThan(4096 + 1024);
    audit.close();
    assertThat(segments()).isEmpty();
  }

  @Test
  void onceTheWriterCaughtUp_eventsAreQueuedAgain_andASecondOverflowSpillsAgain() throws Exception {
    GatedSink sink = new GatedSink().hold();
    AuditLog audit = journaled(sink, JournalDurability.PROCESS_CRASH).queueCapacity(4).batchSize(10)
        .batchDelay(Duration.ZERO).build();
    List<UUID> ids = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      ids.add(audit.viewed("job", "a-" + i));
    }
    assertThat(audit.health().journalOnly()).isPositive();
    sink.release();
    Await.until("caught up", WAIT, () -> audit.health().unshipped() == 0);
    assertThat(audit.health().journalOnly()).isZero();

    sink.hold();
    int attempts = sink.attempts.get();
    ids.add(audit.viewed("job", "b-0")); // the writer takes it and waits in the store
    Await.until("in flight", WAIT, () -> sink.attempts.get() > attempts);
    for (int i = 1; i <= 4; i++) {
      ids.add(audit.viewed("job", "b-" + i));
    }
    DeliveryHealth h = audit.health();
    assertThat(h.queueDepth()).as("queued again, not spilled").isEqualTo(4);
    assertThat(h.journalOnly()).isZero();
    for (int i = 5; i < 30; i++) {
      ids.add(audit.viewed("job", "b-" + i));
    }
    assertThat(audit.health().journalOnly()).isEqualTo(25);
    sink.release();
    Await.until("all shipped", WAIT, () -> audit.health().unshipped() == 0);
    assertThat(sink.store.events()).extracting(AuditEvent::id).containsExactlyElementsOf(ids);
    audit.close();
    assertThat(segments()).isEmpty();
  }

  /** Many callers against a slow store: the queue fills and drains over and over, spill and queue alternate. */
  @ParameterizedTest
  @EnumSource(JournalDurability.class)
  void manyCallers_slowStore_nothingLostOrDuplicated_andEachCallersOrderKept(JournalDurability durability)
      throws Exception {
    boolean fsyncs = durability == JournalDurability.POWER_LOSS; // callers are much slower there
    List<AuditEvent> written = new CopyOnWriteArrayList<>();
    java.util.concurrent.CountDownLatch opened = new java.util.concurrent.CountDownLatch(1);
    AuditSink slow = batch -> {
      try {
        opened.await(); // closed until events have spilled, so that every run spills
        Thread.sleep(fsyncs ? 10 : 2);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      written.addAll(batch);
    };
    int threads = 4;
    int each = fsyncs ? 400 : 5_000;
    AuditLog audit = journaled(slow, durability).queueCapacity(16).batchSize(fsyncs ? 10 : 50)
        .journalSegmentBytes(256 * 1024).build();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> fs = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        fs.add(pool.submit(() -> {
          for (int i = 0; i < each; i++) {
            audit.viewed("job", thread + ":" + i);
          }
        }));
      }
      Await.until("events spilled", WAIT, () -> audit.health().journalOnly() > 0);
      opened.countDown();
      for (Future<?> f : fs) {
        f.get(60, TimeUnit.SECONDS);
      }
      Await.until("all shipped", Duration.ofSeconds(60), () -> audit.health().unshipped() == 0);
      audit.close();
    } finally {
      pool.shutdownNow();
    }
    assertThat(written).hasSize(threads * each);
    assertThat(written.stream().map(AuditEvent::id).distinct().count()).isEqualTo((long) threads * each);
    Map<String, Integer> last = new HashMap<>();
    for (AuditEvent e : written) {
      String[] p = e.resource().id().split(":");
      int i = Integer.parseInt(p[1]);
      Integer before = last.put(p[0], i);
      assertThat(i).as("caller %s's events in its order", p[0]).isEqualTo(before == null ? 0 : before + 1);
    }
    assertThat(segments()).isEmpty();
  }

  @Test
  void closeWhileEventsAreSpilled_namesThem_keepsThemInTheJournal_andTheNextStartShipsThemOnce() throws Exception {
    GatedSink down = new GatedSink().failAlways(true);
    AuditLog audit = journaled(down, JournalDurability.PROCESS_CRASH).queueCapacity(4).batchSize(10)
        .closeTimeout(Duration.ofMillis(50)).build();
    List<UUID> ids = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      ids.add(audit.viewed("job", "j-" + i));
    }
    assertThat(audit.health().journalOnly()).isGreaterThan(250);
    assertThatThrownBy(audit::close).isInstanceOfSatisfying(UnshippedEventsException.class, e -> {
      assertThat(e.count()).isEqualTo(300);
      assertThat(e.retainedInJournal()).isTrue();
      assertThat(e.oldestIds()).containsExactlyElementsOf(ids.subList(0, 100));
    });

    GatedSink sink = new GatedSink();
    try (AuditLog again = journaled(sink, JournalDurability.PROCESS_CRASH).build()) {
      Await.until("replayed", WAIT, () -> sink.store.size() == 300);
    }
    assertThat(sink.store.events()).extracting(AuditEvent::id).containsExactlyElementsOf(ids);
    assertThat(sink.batchSizes.stream().mapToInt(Integer::intValue).sum()).isEqualTo(300);
    assertThat(segments()).isEmpty();
  }

  @Test
  void aSpilledRecordDamagedBeforeItIsReadBack_isReportedAndSkipped_theOthersArrive() throws Exception {
    GatedSink sink = new GatedSink().hold();
    AuditLog audit = journaled(sink, JournalDurability.PROCESS_CRASH).queueCapacity(4).batchSize(10).build();
    List<UUID> ids = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      ids.add(audit.viewed("job", "j-" + i));
    }
    Path segment = segments().get(0);
    List<JournalScan.Entry> records = JournalScan.of(Files.readAllBytes(segment)).entries();
    assertThat(records).hasSize(50);
    JournalScan.Entry victim = records.get(30); // long after the queue filled: spilled
    try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(new byte[] {(byte) 0xAB, (byte) 0xCD}), victim.offset() + 40);
    }
    sink.release();
    Await.until("the rest shipped", WAIT, () -> audit.health().unshipped() == 0);
    List<UUID> expected = new ArrayList<>(ids);
    expected.remove(30);
    assertThat(sink.store.events()).extracting(AuditEvent::id).containsExactlyElementsOf(expected);
    DeliveryHealth h = audit.health();
    assertThat(h.corruptRecordsSkipped()).isEqualTo(1);
    assertThat(h.lastError()).hasValueSatisfying(m -> assertThat(m).contains("failing its checksum")
        .contains(segment.getFileName().toString()));
    audit.close();
    assertThat(segments()).as("the segment is not kept waiting for the skipped record").isEmpty();
    assertThat(segment.resolveSibling(segment.getFileName() + ".corrupt")).as("but kept for inspection").exists();
  }

  /**
   * close() with the store down reads the oldest spilled records for its report. A damaged one
   * among them is not kept (the next start skips it too): it is counted as skipped, not among the
   * events close says stay in the journal, and the next start ships exactly the others.
   */
  @Test
  void aSpilledRecordDamagedBeforeClose_isNotReportedAsKept() throws Exception {
    GatedSink sink = new GatedSink().failAlways(true);
    AuditLog audit = journaled(sink, JournalDurability.PROCESS_CRASH).queueCapacity(4).batchSize(10)
        .closeTimeout(Duration.ofMillis(200)).build();
    List<UUID> ids = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      ids.add(audit.viewed("job", "j-" + i));
    }
    Await.until("spilled", WAIT, () -> audit.health().journalOnly() > 30);
    Path segment = segments().get(0);
    List<JournalScan.Entry> records = JournalScan.of(Files.readAllBytes(segment)).entries();
    JournalScan.Entry victim = records.get(30); // long after the queue filled: spilled
    try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(new byte[] {(byte) 0xAB, (byte) 0xCD}), victim.offset() + 40);
    }
    assertThatThrownBy(audit::close).isInstanceOfSatisfying(UnshippedEventsException.class, e -> {
      assertThat(e.count()).as("the damaged one is not among those kept").isEqualTo(49);
      assertThat(e.retainedInJournal()).isTrue();
      assertThat(e.oldestIds()).doesNotContain(ids.get(30));
    });
    assertThat(audit.health().corruptRecordsSkipped()).isEqualTo(1);

    GatedSink next = new GatedSink();
    try (AuditLog again = journaled(next, JournalDurability.PROCESS_CRASH).build()) {
      Await.until("replayed", WAIT, () -> next.store.size() == 49);
    }
    List<UUID> expected = new ArrayList<>(ids);
    expected.remove(30);
    assertThat(next.store.events()).extracting(AuditEvent::id).containsExactlyElementsOf(expected);
  }

  /** Spilling is bounded: at journalCapacity the journal degrades like a full disk, and recovers. */
  @Test
  void aJournalAtItsCapacity_keepsEventsInMemory_callersWait_andJournalingResumesOnceShipped() throws Exception {
    GatedSink sink = new GatedSink().hold();
    long capacity = 1 << 20;
    AuditLog audit = journaled(sink, JournalDurability.PROCESS_CRASH).queueCapacity(4).batchSize(20)
        .journalCapacity(capacity).journalSegmentBytes(64 * 1024).build();
    int n = 1_500; // about 1.7 MB of records: more than the journal may hold
    List<UUID> ids = new CopyOnWriteArrayList<>();
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<?> producer = pool.submit(() -> {
        for (int i = 0; i < n; i++) {
          ids.add(audit.logAction("export_report", "report", "r-" + i, Map.of("note", "n".repeat(1000), "i", i)));
        }
      });
      Await.until("journal full", WAIT, () -> audit.health().journalDegraded());
      Await.until("queue full", WAIT, () -> audit.health().queueDepth() == 4);
      Thread.sleep(100);
      assertThat(producer).as("the caller waits: BLOCK").isNotDone();
      DeliveryHealth h = audit.health();
      assertThat(h.journalBytes()).isLessThanOrEqualTo(capacity).isGreaterThan(capacity - 4096);
      assertThat(h.healthy()).isFalse();
      assertThat(h.lastError()).hasValueSatisfying(m -> assertThat(m).contains("capacity is " + capacity)
          .contains("journalCapacity").contains("kept in memory"));
      assertThat(ids).hasSizeLessThan(n);

      sink.release();
      producer.get(30, TimeUnit.SECONDS);
      Await.until("all shipped", WAIT, () -> audit.health().unshipped() == 0);
      assertThat(sink.store.events()).extracting(AuditEvent::id).doesNotHaveDuplicates()
          .containsExactlyInAnyOrderElementsOf(ids);
      assertThat(sink.batchSizes.stream().mapToInt(Integer::intValue).sum()).isEqualTo(n);
      // shipped segments are gone: the next event is journaled again
      audit.viewed("job", "after");
      assertThat(audit.health().journalDegraded()).isFalse();
      assertThat(Await.uncheck(this::segments)).isNotEmpty();
      Await.until("shipped", WAIT, () -> sink.store.size() == n + 1);
      audit.close();
      assertThat(segments()).isEmpty();
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * A writer that keeps making room (a slow but working store) is waited for: callers go at the
   * store's pace and nothing is spilled, so the writer never pays for reading events back. With
   * {@code spillAfter(0)} the same load spills, which shows the count below would see a spill.
   */
  @ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(longs = {2_000, 0})
  void aBusyWriterIsWaitedFor_onlyAStuckOneIsSpilledTo(long spillAfterMillis) throws Exception {
    List<AuditEvent> written = new CopyOnWriteArrayList<>();
    AuditSink slow = batch -> {
      Await.nap(3);
      written.addAll(batch);
    };
    AuditLog audit = journaled(slow, JournalDurability.PROCESS_CRASH).queueCapacity(8).batchSize(50)
        .spillAfter(Duration.ofMillis(spillAfterMillis)).build();
    int threads = 2;
    int each = 1_500;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    long spilled;
    try {
      List<Future<?>> fs = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        fs.add(pool.submit(() -> {
          for (int i = 0; i < each; i++) {
            audit.viewed("job", thread + ":" + i);
          }
        }));
      }
      for (Future<?> f : fs) {
        f.get();
      }
      Await.until("all shipped", WAIT, () -> audit.health().unshipped() == 0);
      spilled = audit.health().spilled();
      assertThat(audit.health().journalOnly()).isZero();
      audit.close();
    } finally {
      pool.shutdownNow();
    }
    if (spillAfterMillis > 0) {
      assertThat(spilled).as("events left to the journal alone").isZero();
    } else {
      // the queue holds 8 and the writer takes 3 ms a batch: 3,000 calls fill it many times over
      assertThat(spilled).as("events left to the journal alone").isPositive();
    }
    assertThat(written).extracting(AuditEvent::id).doesNotHaveDuplicates().hasSize(threads * each);
    assertThat(segments()).isEmpty();
  }

  /** A stuck writer: the first caller to find the queue full waits spillAfter, then it and every later one spill. */
  @Test
  void aStuckWriter_isWaitedForOnce_thenEventsSpill() throws Exception {
    GatedSink sink = new GatedSink().hold();
    AuditLog audit = journaled(sink, JournalDurability.PROCESS_CRASH).queueCapacity(4).batchSize(10)
        .spillAfter(Duration.ofMillis(300)).build();
    List<UUID> ids = new ArrayList<>();
    ids.add(audit.viewed("job", "0")); // taken by the writer, which waits in the store
    Await.until("in flight", WAIT, () -> sink.attempts.get() > 0);
    for (int i = 1; i <= 4; i++) {
      ids.add(audit.viewed("job", String.valueOf(i)));
    }
    long t0 = System.nanoTime();
    ids.add(audit.viewed("job", "5"));
    long firstOverflow = System.nanoTime() - t0;
    t0 = System.nanoTime();
    for (int i = 6; i < 206; i++) {
      ids.add(audit.viewed("job", String.valueOf(i)));
    }
    long next200 = System.nanoTime() - t0;
    assertThat(Duration.ofNanos(firstOverflow)).as("the first caller waited for room").isGreaterThanOrEqualTo(
        Duration.ofMillis(300));
    // had each waited, these would have taken 60 s
    assertThat(Duration.ofNanos(next200)).as("later callers spilled at once").isLessThan(Duration.ofSeconds(10));
    assertThat(audit.health().journalOnly()).isEqualTo(201);
    assertThat(audit.health().spilled()).isEqualTo(201);
    sink.release();
    Await.until("all shipped", WAIT, () -> audit.health().unshipped() == 0);
    assertThat(sink.store.events()).extracting(AuditEvent::id).containsExactlyElementsOf(ids);
    // read back: none is left to the journal alone, and the count since start stays
    assertThat(audit.health().journalOnly()).isZero();
    assertThat(audit.health().spilled()).isEqualTo(201);
    audit.close();
  }

  /** A caller waiting for room when the log closes does not wait out spillAfter: its event is spilled and kept. */
  @Test
  void aCallerWaitingForRoom_spillsWhenTheLogCloses_andItsEventIsKept() throws Exception {
    GatedSink sink = new GatedSink().hold();
    AuditLog audit = journaled(sink, JournalDurability.PROCESS_CRASH).queueCapacity(2).batchSize(10)
        .spillAfter(Duration.ofSeconds(60)).closeTimeout(Duration.ofMillis(100)).build();
    List<UUID> ids = new ArrayList<>();
    ids.add(audit.viewed("job", "0"));
    Await.until("in flight", WAIT, () -> sink.attempts.get() > 0);
    ids.add(audit.viewed("job", "1"));
    ids.add(audit.viewed("job", "2")); // the queue is full now
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<UUID> waiting = pool.submit(() -> audit.viewed("job", "3"));
      Await.until("a caller waits for room", WAIT, () -> audit.health().callersWaiting() == 1);
      Thread.sleep(100);
      assertThat(waiting).as("waits for room").isNotDone();
      assertThat(audit.health().callersWaiting()).isEqualTo(1);
      assertThat(audit.health().journalOnly()).as("nothing spilled yet").isZero();
      long t0 = System.nanoTime();
      assertThatThrownBy(audit::close).isInstanceOfSatisfying(UnshippedEventsException.class, e -> {
        assertThat(e.count()).isEqualTo(4);
        assertThat(e.retainedInJournal()).isTrue();
      });
      ids.add(waiting.get(5, TimeUnit.SECONDS));
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(30));
    } finally {
      pool.shutdownNow();
    }
    GatedSink again = new GatedSink();
    try (AuditLog next = journaled(again, JournalDurability.PROCESS_CRASH).build()) {
      Await.until("replayed", WAIT, () -> again.store.size() == 4);
    }
    assertThat(again.store.events()).extracting(AuditEvent::id).containsExactlyElementsOf(ids);
  }

  /** The writer itself appending (from inside AuditSink.write) into a full queue spills at once: only it could make room. */
  @Test
  void theWriterAppendingIntoAFullQueue_doesNotWaitForItself() throws Exception {
    java.util.concurrent.atomic.AtomicReference<AuditLog> log = new java.util.concurrent.atomic.AtomicReference<>();
    List<AuditEvent> written = new CopyOnWriteArrayList<>();
    java.util.concurrent.atomic.AtomicBoolean once = new java.util.concurrent.atomic.AtomicBoolean();
    AuditSink nested = batch -> {
      if (once.compareAndSet(false, true)) {
        for (int i = 0; i < 5; i++) {
          log.get().viewed("job", "nested-" + i); // the queue holds 2
        }
      }
      written.addAll(batch);
    };
    AuditLog audit = journaled(nested, JournalDurability.PROCESS_CRASH).queueCapacity(2).batchSize(10)
        .spillAfter(Duration.ofSeconds(60)).build();
    log.set(audit);
    audit.viewed("job", "first");
    // waiting for itself would hold the writer for 60 s
    Await.until("all shipped", Duration.ofSeconds(20), () -> written.size() == 6);
    assertThat(written).extracting(e -> e.resource().id()).containsExactly("first", "nested-0", "nested-1",
        "nested-2", "nested-3", "nested-4");
    audit.close();
  }

  /**
   * Under sustained load, a store write that hangs once for longer than spillAfter starts a spill.
   * Once the writer works again, callers are held to its pace until it has read the spill back, so
   * the spill ends while the load goes on (callers that outran the writer kept it going until the
   * load dropped, and every event then cost the writer a read-back).
   */
  @Test
  void aSpillAfterOneHungWrite_endsWhileTheLoadGoesOn() throws Exception {
    java.util.concurrent.atomic.AtomicBoolean hang = new java.util.concurrent.atomic.AtomicBoolean();
    java.util.concurrent.atomic.AtomicLong stored = new java.util.concurrent.atomic.AtomicLong();
    Set<UUID> ids = java.util.concurrent.ConcurrentHashMap.newKeySet();
    Set<UUID> storedIds = java.util.concurrent.ConcurrentHashMap.newKeySet();
    AuditSink sink = batch -> {
      if (hang.compareAndSet(true, false)) {
        Await.nap(800);
      }
      for (AuditEvent e : batch) {
        storedIds.add(e.id());
      }
      stored.addAndGet(batch.size());
    };
    AuditLog audit = journaled(sink, JournalDurability.PROCESS_CRASH).queueCapacity(64).batchSize(50)
        .spillAfter(Duration.ofMillis(200)).build();
    java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
    java.util.concurrent.atomic.AtomicLong accepted = new java.util.concurrent.atomic.AtomicLong();
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      List<Future<?>> fs = new ArrayList<>();
      for (int t = 0; t < 2; t++) {
        fs.add(pool.submit(() -> {
          while (!stop.get()) {
            UUID id = audit.viewed("job", "j");
            ids.add(id);
            accepted.incrementAndGet();
          }
        }));
      }
      Await.until("load under way", WAIT, () -> stored.get() > 2_000);
      long spilledBefore = audit.health().spilled(); // (a pause of the machine may have spilled a few)
      hang.set(true);
      // a count: a short spill is not missed between two looks
      Await.until("spilled", WAIT, () -> audit.health().spilled() > spilledBefore);
      long spillStartedAt = accepted.get();
      Await.until("the spill ended under load", WAIT, () -> audit.health().journalOnly() == 0);
      long queuedAgainAt = accepted.get();
      assertThat(queuedAgainAt).isGreaterThan(spillStartedAt);
      // the load goes on; a pause of the machine may start a short spill again, which ends too
      Await.until("callers kept going", WAIT, () -> accepted.get() > queuedAgainAt + 5_000);
      Await.until("no spill under load", WAIT, () -> audit.health().journalOnly() == 0);
      stop.set(true);
      for (Future<?> f : fs) {
        f.get(30, TimeUnit.SECONDS);
      }
      Await.until("all shipped", WAIT, () -> audit.health().unshipped() == 0);
      assertThat(stored.get()).as("each stored once").isEqualTo(accepted.get());
      assertThat(storedIds).as("every accepted event stored").isEqualTo(ids);
      audit.close();
    } finally {
      stop.set(true);
      pool.shutdownNow();
    }
  }

  /**
   * While spilled records cannot be read back (here a segment replaced by a directory; the writer
   * retries, then gives the segment up), callers are not held to the writer's pace: they spill
   * freely, as for a failing store.
   */
  @Test
  void whileASpillCannotBeReadBack_callersAreNotHeld() throws Exception {
    GatedSink sink = new GatedSink().hold();
    AuditLog audit = spillingOverSmallSegments(sink).spillAfter(Duration.ofSeconds(2))
        .closeTimeout(Duration.ofMillis(100)).build();
    spill200(audit);
    Path victim = segments().get(2);
    Files.delete(victim);
    Files.createDirectory(victim);
    sink.release();
    Await.until("a failed read back", WAIT, () -> audit.health().consecutiveFailures() > 0);
    long t0 = System.nanoTime();
    for (int i = 0; i < 10; i++) {
      audit.viewed("job", "x-" + i);
    }
    // held, each would have waited spillAfter: 20 s
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
    assertThat(audit.health().journalOnly()).isPositive();
    Files.delete(victim);
    try {
      audit.close();
    } catch (UnshippedEventsException expected) {
      // what the damaged segment held is named there; not what this test is about
    }
  }

  @Test
  void spillAfter_badValues_areRefused() {
    assertThatThrownBy(() -> AuditLog.builder().spillAfter(null)).isInstanceOf(NullPointerException.class)
        .hasMessageContaining("spillAfter");
    assertThatThrownBy(() -> AuditLog.builder().spillAfter(Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("spillAfter");
    assertThatThrownBy(() -> AuditLog.builder().spillAfter(Duration.ofMinutes(2)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("spillAfter");
  }

  /** A capacity below the segment size (16 MiB): the journal would fill with its one active segment for good. */
  @Test
  void aCapacityBelowTheSegmentSize_isNotFilledForGood_byOneSegment() throws Exception {
    InMemoryAuditStore store = new InMemoryAuditStore();
    AuditLog audit = AuditLog.builder().store(store).delivery(Delivery.ASYNC).journal(dir).journalCapacity(1 << 20)
        .build();
    for (int i = 0; i < 1_500; i++) { // about 1.7 MB of records, the store taking them all along
      audit.logAction("export_report", "report", "r-" + i, Map.of("note", "n".repeat(1000), "i", i));
    }
    Await.until("all shipped", WAIT, () -> audit.health().unshipped() == 0);
    audit.viewed("job", "after");
    DeliveryHealth h = audit.health();
    assertThat(h.journalDegraded()).as(h.toString()).isFalse();
    assertThat(h.journalBytes()).isLessThan(1 << 19);
    Await.until("shipped", WAIT, () -> audit.health().unshipped() == 0);
    assertThat(store.size()).isEqualTo(1_501);
    audit.close();
  }

  /** Some events journaled, later ones in memory only (the journal full): close says which are lost. */
  @Test
  void closeWithEventsHeldInMemoryOnly_saysSo_andDoesNotClaimThemKept() throws Exception {
    AuditLog audit = journaled(new GatedSink().failAlways(true), JournalDurability.PROCESS_CRASH)
        .queueCapacity(10_000).journalCapacity(1 << 20).journalSegmentBytes(64 * 1024)
        .closeTimeout(Duration.ofMillis(200)).build();
    int n = 1_500; // about 1.7 MB of records: the journal fills up, the rest are held in memory
    for (int i = 0; i < n; i++) {
      audit.logAction("export_report", "report", "r-" + i, Map.of("note", "n".repeat(1000), "i", i));
    }
    assertThat(audit.health().journalDegraded()).isTrue();
    assertThatThrownBy(audit::close).isInstanceOfSatisfying(UnshippedEventsException.class, e -> {
      assertThat(e.count()).isEqualTo(n);
      assertThat(e.retainedInJournal()).isFalse();
      assertThat(e.getMessage()).contains("LOST").contains("held in memory only").contains("was full")
          .contains("those in the journal are shipped on the next start").doesNotContain("no journal");
    });
  }

  @Test
  void journalCapacity_belowOneMebibyte_isRefused() {
    assertThatThrownBy(() -> AuditLog.builder().journalCapacity(1000)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("journalCapacity").hasMessageContaining("1000");
    assertThatThrownBy(() -> AuditLog.builder().journalCapacity(-1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void closeWhileEventsAreSpilled_withTheStoreBack_shipsThemAll() throws Exception {
    GatedSink sink = new GatedSink().hold();
    AuditLog audit = journaled(sink, JournalDurability.PROCESS_CRASH).queueCapacity(4).batchSize(10).build();
    List<UUID> ids = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      ids.add(audit.viewed("job", "j-" + i));
    }
    assertThat(audit.health().journalOnly()).isGreaterThan(250);
    sink.release();
    audit.close(); // the writer reads the spilled events back before it stops
    assertThat(sink.store.events()).extracting(AuditEvent::id).containsExactlyElementsOf(ids);
    assertThat(segments()).isEmpty();
  }

  /**
   * While the journal is at its capacity the queue fills with memory-only events; the spilled ones
   * are read back in turn with them (not starved), which removes segments and makes room again.
   */
  @Test
  void underSteadyLoad_aFullJournalsSpilledEventsAreStillReadBack_andItRecovers() throws Exception {
    GatedSink sink = new GatedSink().hold();
    AuditLog audit = journaled(sink, JournalDurability.PROCESS_CRASH).queueCapacity(8).batchSize(20)
        .journalCapacity(1 << 20).journalSegmentBytes(64 * 1024).build();
    java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
    java.util.Set<UUID> ids = java.util.concurrent.ConcurrentHashMap.newKeySet();
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      List<Future<?>> fs = new ArrayList<>();
      for (int t = 0; t < 2; t++) {
        fs.add(pool.submit(() -> {
          while (!stop.get()) {
            ids.add(audit.logAction("export_report", "report", "r", Map.of("note", "n".repeat(1000))));
          }
        }));
      }
      Await.until("journal full", WAIT, () -> audit.health().journalDegraded());
      long spilled = audit.health().journalOnly();
      assertThat(spilled).isGreaterThan(500);
      sink.release(); // the load goes on: callers refill the queue as soon as it is taken
      Await.until("spilled events read back under load", WAIT, () -> audit.health().journalOnly() < spilled / 2);
      stop.set(true);
      for (Future<?> f : fs) {
        f.get(30, TimeUnit.SECONDS);
      }
      Await.until("all shipped", WAIT, () -> audit.health().unshipped() == 0);
      assertThat(sink.store.events()).extracting(AuditEvent::id).doesNotHaveDuplicates()
          .containsExactlyInAnyOrderElementsOf(ids);
      audit.viewed("job", "after");
      assertThat(audit.health().journalDegraded()).as("room again: journaled").isFalse();
      audit.close();
      assertThat(segments()).isEmpty();
    } finally {
      stop.set(true);
      pool.shutdownNow();
    }
  }

  /** A spilled segment deleted behind the journal's back: reported, counted, the rest still ships. */
  @Test
  void aSpilledSegmentDeletedBeforeItIsReadBack_isReportedAndCounted_andTheRestShips() throws Exception {
    GatedSink sink = new GatedSink().hold();
    AuditLog audit = spillingOverSmallSegments(sink).build();
    List<UUID> ids = spill200(audit);
    List<Path> files = segments();
    assertThat(files).hasSizeGreaterThan(4);
    Path victim = files.get(2); // sealed, and spilled all through
    java.util.Set<UUID> gone = new java.util.HashSet<>();
    for (JournalScan.Entry e : JournalScan.of(Files.readAllBytes(victim)).entries()) {
      gone.add(UUID.fromString(new com.fasterxml.jackson.databind.ObjectMapper().readTree(e.payload()).get("id")
          .asText()));
    }
    assertThat(gone).isNotEmpty();
    Files.delete(victim);
    sink.release();
    Await.until("the rest shipped", WAIT, () -> audit.health().unshipped() == 0);
    List<UUID> expected = new ArrayList<>(ids);
    expected.removeAll(gone);
    assertThat(sink.store.events()).extracting(AuditEvent::id).containsExactlyElementsOf(expected);
    DeliveryHealth h = audit.health();
    assertThat(h.corruptRecordsSkipped()).isEqualTo(gone.size());
    assertThat(h.lastError()).hasValueSatisfying(m -> assertThat(m).contains(victim.getFileName().toString())
        .contains("cannot be read back"));
    audit.close(); // nothing is unshipped any more: no exception, and the writer has stopped
    assertThat(segments()).isEmpty();
  }

  /**
   * When the journal fills up during a spill, the queue still holds journaled events older than
   * every spilled one: they are shipped first (the spilled ones take turns only with memory-only
   * events queued after the journal filled).
   */
  @Test
  void aJournalFillingUpDuringASpill_doesNotShipSpilledEventsAheadOfOlderQueuedOnes() throws Exception {
    GatedSink sink = new GatedSink().hold();
    AuditLog audit = journaled(sink, JournalDurability.PROCESS_CRASH).queueCapacity(40).batchSize(5)
        .journalCapacity(1 << 20).journalSegmentBytes(64 * 1024).build();
    List<UUID> ids = new CopyOnWriteArrayList<>();
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<?> producer = pool.submit(() -> {
        for (int i = 0; i < 1_200; i++) {
          ids.add(audit.logAction("export_report", "report", "r-" + i, Map.of("note", "n".repeat(1000))));
        }
      });
      Await.until("journal full", WAIT, () -> audit.health().journalDegraded());
      Await.until("queue full", WAIT, () -> audit.health().queueDepth() == 40);
      sink.release();
      producer.get(30, TimeUnit.SECONDS);
      Await.until("all shipped", WAIT, () -> audit.health().unshipped() == 0);
      List<UUID> stored = sink.store.events().stream().map(AuditEvent::id).toList();
      assertThat(stored).containsExactlyInAnyOrderElementsOf(ids);
      int lastQueued = 0;
      for (UUID id : ids.subList(0, 40)) {
        lastQueued = Math.max(lastQueued, stored.indexOf(id));
      }
      for (UUID id : ids.subList(50, 500)) { // journaled after the queue filled: spilled
        assertThat(stored.indexOf(id)).as("a spilled event after every older queued one").isGreaterThan(lastQueued);
      }
      audit.close();
    } finally {
      pool.shutdownNow();
    }
  }

  /** A host that interrupts threads it does not own: the writer reading a spill back goes on, skipping nothing. */
  @Test
  void interruptsOfTheWriterWhileItReadsASpillBack_skipNothing() throws Exception {
    GatedSink sink = new GatedSink().hold();
    AuditLog audit = spillingOverSmallSegments(sink).spillAfter(Duration.ZERO).build();
    List<UUID> ids = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      ids.add(audit.viewed("job", "j-" + i));
    }
    assertThat(audit.health().journalOnly()).isGreaterThan(400);
    Thread writer = Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().equals("auditkit-writer")).findFirst().orElseThrow();
    java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
    Thread hammer = new Thread(() -> {
      while (!stop.get()) {
        writer.interrupt();
        java.util.concurrent.locks.LockSupport.parkNanos(100_000);
      }
    }, "hammer");
    hammer.start();
    sink.release();
    try {
      Await.until("all shipped", WAIT, () -> audit.health().unshipped() == 0);
    } finally {
      stop.set(true);
      hammer.join();
    }
    assertThat(audit.health().corruptRecordsSkipped()).isZero();
    assertThat(sink.store.events()).extracting(AuditEvent::id).containsExactlyElementsOf(ids);
    audit.close();
  }
}

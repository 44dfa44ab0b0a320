package dev.auditkit.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  @TempDir Path dir;

  private AuditLog.Builder journaled(AuditSink sink) {
    return AuditLog.builder().store(sink).delivery(Delivery.ASYNC).journal(dir)
        .retryBackoff(Duration.ofMillis(1), Duration.ofMillis(20));
  }

  private List<Path> files(String suffix) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().endsWith(suffix)).sorted().collect(Collectors.toList());
    }
  }

  /** Writes {@code n} events while the store is down and closes; they stay in the journal. */
  private List<UUID> leaveInJournal(int n) {
    GatedSink down = new GatedSink().failAlways(true);
    AuditLog audit = journaled(down).closeTimeout(Duration.ZERO).build();
    List<UUID> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ids.add(audit.updated("invoice", "inv-" + i, java.util.Map.of("status", "open"), java.util.Map.of("status", "paid")));
    }
    assertThatThrownBy(audit::close).isInstanceOfSatisfying(UnshippedEventsException.class, e -> {
      assertThat(e.count()).isEqualTo(n);
      assertThat(e.retainedInJournal()).isTrue();
      assertThat(e.getMessage()).contains("stay in the journal");
    });
    return ids;
  }

  @Test
  void eventsLeftInTheJournal_areShippedOnTheNextStart_exactlyOnce_andTheSegmentsRemoved() throws IOException {
    List<UUID> ids = leaveInJournal(300);
    assertThat(files(".journal")).isNotEmpty();
    GatedSink sink = new GatedSink();
    AuditLog audit = journaled(sink).build();
    Await.until("replayed", WAIT, () -> sink.store.size() == 300);
    assertThat(sink.store.events()).extracting(AuditEvent::id).containsExactlyElementsOf(ids);
    AuditEvent e = sink.store.events().get(7);
    assertThat(e.changes()).singleElement().satisfies(c -> assertThat(c.path()).isEqualTo("status"));
    assertThat(e.resource().id()).isEqualTo("inv-7");
    audit.close();
    assertThat(files(".journal")).isEmpty();
    assertThat(files(".corrupt")).isEmpty();
  }

  @Test
  void replayedAndNewEvents_bothArrive_andOldestAgeCoversTheReplay() {
    List<UUID> old = leaveInJournal(50);
    GatedSink sink = new GatedSink().hold();
    AuditLog audit = journaled(sink).build();
    DeliveryHealth h = audit.health();
    assertThat(h.unshipped()).isEqualTo(50);
    assertThat(h.journalBytes()).isPositive();
    UUID fresh = audit.viewed("job", "1");
    sink.release();
    Await.until("all shipped", WAIT, () -> sink.store.size() == 51);
    assertThat(sink.store.events()).extracting(AuditEvent::id).containsAll(old).contains(fresh);
    audit.close();
  }

  @Test
  void segmentsRoll_andAreRemovedOnlyAfterTheStoreCommittedAllTheirEvents() throws IOException {
    GatedSink sink = new GatedSink().hold();
    AuditLog audit = journaled(sink).journalSegmentBytes(4096).batchSize(10).build();
    for (int i = 0; i < 100; i++) {
      audit.viewed("job", "j-" + i);
    }
    int segments = files(".journal").size();
    assertThat(segments).isGreaterThan(3);
    assertThat(audit.health().journalBytes()).isGreaterThan(3 * 4096);
    sink.release();
    Await.until("shipped", WAIT, () -> sink.store.size() == 100);
    Await.until("sealed segments removed", WAIT, () -> Await.uncheck(() -> files(".journal").size()) == 1);
    audit.close();
    assertThat(files(".journal")).isEmpty();
  }

  @Test
  void aTornTail_isSkippedAndReported_andTheValidRecordsBeforeItReplayed() throws IOException {
    List<UUID> ids = leaveInJournal(20);
    Path last = files(".journal").get(files(".journal").size() - 1);
    byte[] data = Files.readAllBytes(last);
    Files.write(last, java.util.Arrays.copyOf(data, data.length - 7)); // cut into the last record
    GatedSink sink = new GatedSink();
    AuditLog audit = journaled(sink).build();
    Await.until("replayed", WAIT, () -> sink.store.size() == 19);
    assertThat(sink.store.events()).extracting(AuditEvent::id).containsExactlyElementsOf(ids.subList(0, 19));
    DeliveryHealth h = audit.health();
    assertThat(h.corruptRecordsSkipped()).isEqualTo(1);
    assertThat(h.lastError()).hasValueSatisfying(m -> assertThat(m).contains("torn or corrupt tail").contains(last.toString()));
    audit.close();
    assertThat(files(".corrupt")).as("the damaged file is kept for inspection").hasSize(1);
    assertThat(files(".journal")).isEmpty();
    // the next start has nothing left to complain about
    try (AuditLog again = journaled(new GatedSink()).build()) {
      assertThat(again.health().corruptRecordsSkipped()).isZero();
    }
  }

  @Test
  void aCorruptRecordInTheMiddle_isSkipped_andTheRecordsAfterItStillReplayed() throws IOException {
    List<UUID> ids = leaveInJournal(10);
    Path seg = files(".journal").get(0);
    byte[] data = Files.readAllBytes(seg);
    // find the 5th record and flip one payload byte
    int pos = 8;
    for (int i = 0; i < 4; i++) {
      pos += 20 + ByteBuffer.wrap(data).getInt(pos + 4);
    }
    data[pos + 40] ^= 0x55;
    Files.write(seg, data);
    GatedSink sink = new GatedSink();
    AuditLog audit = journaled(sink).build();
    Await.until("replayed", WAIT, () -> sink.store.size() == 9);
    List<UUID> expected = new ArrayList<>(ids);
    expected.remove(4);
    assertThat(sink.store.events()).extracting(AuditEvent::id).containsExactlyElementsOf(expected);
    assertThat(audit.health().lastError()).hasValueSatisfying(m -> assertThat(m).contains("corrupt record"));
    audit.close();
  }

  @Test
  void garbageWithASegmentName_isReportedAndSetAside_notACrashLoop() throws IOException {
    Files.createDirectories(dir);
    Files.write(dir.resolve("segment-00000000000000000007.journal"), "not a journal at all".getBytes());
    Files.write(dir.resolve("segment-00000000000000000008.journal"), new byte[0]);
    for (int run = 0; run < 2; run++) {
      GatedSink sink = new GatedSink();
      AuditLog audit = journaled(sink).build();
      UUID id = audit.viewed("job", "1");
      audit.close();
      assertThat(sink.store.events()).extracting(AuditEvent::id).containsExactly(id);
      assertThat(audit.health().corruptRecordsSkipped()).isEqualTo(run == 0 ? 1 : 0);
    }
    assertThat(files(".corrupt")).hasSize(1);
    assertThat(files(".journal")).isEmpty();
  }

  @Test
  void oneJournalDirectory_cannotBeUsedByTwoAuditLogs() {
    AuditLog first = journaled(new GatedSink()).build();
    assertThatThrownBy(() -> journaled(new GatedSink()).build())
        .isInstanceOf(JournalLockedException.class).hasMessageContaining(dir.toString()).hasMessageContaining("own journal directory");
    first.close();
    journaled(new GatedSink()).build().close();
  }

  @Test
  void powerLoss_groupCommit_manyThreads_nothingLostOrDuplicated() throws Exception {
    GatedSink sink = new GatedSink();
    AuditLog audit = journaled(sink).journalDurability(JournalDurability.POWER_LOSS).journalSegmentBytes(64 * 1024).build();
    Set<UUID> ids = ConcurrentHashMap.newKeySet();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    List<Future<?>> fs = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      fs.add(pool.submit(() -> {
        for (int i = 0; i < 250; i++) {
          ids.add(audit.viewed("job", "j-" + i));
        }
      }));
    }
    for (Future<?> f : fs) {
      f.get();
    }
    pool.shutdown();
    audit.close();
    assertThat(ids).hasSize(2000);
    assertThat(sink.store.events()).extracting(AuditEvent::id).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(ids);
    assertThat(files(".journal")).isEmpty();
  }

  @Test
  void customLimits_surviveTheJournalRoundTrip() {
    String longValue = "x".repeat(AuditLimits.defaults().textLength() + 100);
    GatedSink down = new GatedSink().failAlways(true);
    AuditLog audit = journaled(down).limits(AuditLimits.unlimited()).closeTimeout(Duration.ZERO).build();
    audit.appendAuditLog(AuditEvent.builder().action("login").resource("user", "u-1").userAgent(longValue));
    assertThatThrownBy(audit::close).isInstanceOf(UnshippedEventsException.class);
    GatedSink sink = new GatedSink();
    try (AuditLog again = journaled(sink).build()) {
      Await.until("replayed", WAIT, () -> sink.store.size() == 1);
    }
    assertThat(sink.store.events().get(0).request().userAgent()).isEqualTo(longValue);
  }

  /** Acceptance 4 with a journal: what close could not ship is named, kept, and shipped on the next start. */
  @Test
  void closeUnderLoad_withASlowStore_keepsTheRestInTheJournal_forTheNextStart() throws Exception {
    InMemoryAuditStore first = new InMemoryAuditStore();
    AuditSink slow = batch -> {
      Await.nap(30);
      first.write(batch);
    };
    AuditLog audit = journaled(slow).batchSize(50).closeTimeout(Duration.ofMillis(100)).build();
    Set<UUID> acknowledged = ConcurrentHashMap.newKeySet();
    ExecutorService pool = Executors.newFixedThreadPool(3);
    List<Future<?>> fs = new ArrayList<>();
    for (int t = 0; t < 3; t++) {
      fs.add(pool.submit(() -> {
        while (true) {
          try {
            acknowledged.add(audit.viewed("job", "x"));
          } catch (IllegalStateException closed) {
            return;
          }
        }
      }));
    }
    Await.until("load running", WAIT, () -> acknowledged.size() > 3_000);
    UnshippedEventsException report = null;
    try {
      audit.close();
    } catch (UnshippedEventsException e) {
      report = e;
    }
    for (Future<?> f : fs) {
      f.get(10, java.util.concurrent.TimeUnit.SECONDS);
    }
    pool.shutdown();
    assertThat(report).isNotNull();
    assertThat(report.retainedInJournal()).isTrue();
    assertThat(report.oldestIds()).hasSize(100).allMatch(acknowledged::contains);
    GatedSink sink = new GatedSink();
    try (AuditLog again = journaled(sink).build()) {
      // whole segments are replayed: an upper bound that may include events the store already has
      assertThat(again.health().unshipped()).isGreaterThanOrEqualTo(report.count());
      Await.until("replayed", WAIT, () -> again.health().unshipped() == 0);
    }
    Set<UUID> stored = new java.util.HashSet<>();
    first.events().forEach(e -> stored.add(e.id()));
    long shippedBeforeClose = stored.size();
    sink.store.events().forEach(e -> stored.add(e.id()));
    assertThat(stored.size() - shippedBeforeClose).as("newly stored after restart").isGreaterThanOrEqualTo(report.count());
    assertThat(stored).containsAll(acknowledged).containsAll(report.oldestIds());
  }


  @Test
  void aDamagedSegmentKeptForInspection_isNotReplacedByALaterOne() throws IOException {
    Path kept = dir.resolve("segment-00000000000000000000.journal.corrupt");
    Files.writeString(kept, "evidence");
    GatedSink sink = new GatedSink();
    AuditLog audit = journaled(sink).build();
    audit.viewed("job", "j-1");
    assertThat(files(".journal")).singleElement()
        .satisfies(p -> assertThat(p.getFileName().toString()).isEqualTo("segment-00000000000000000001.journal"));
    Await.until("shipped", WAIT, () -> audit.health().unshipped() == 0);
    audit.close();
    assertThat(Files.readString(kept)).isEqualTo("evidence");
  }

  /** Replayed segments that are shipped and removed do not count as missing in close's report. */
  @Test
  void closeAfterAFinishedReplay_withTheStoreHanging_saysTheEventIsKept() throws Exception {
    leaveInJournal(5);
    GatedSink sink = new GatedSink();
    AuditLog audit = journaled(sink).closeTimeout(Duration.ofMillis(200)).build();
    Await.until("replayed", WAIT, () -> audit.health().unshipped() == 0);
    Await.until("the old segment removed", WAIT, () -> Await.uncheck(() -> files(".journal")).size() == 1);
    sink.hold(); // the store hangs in write: the writer outlives close
    int before = sink.attempts.get();
    audit.viewed("job", "fresh");
    Await.until("in the store's write", WAIT, () -> sink.attempts.get() > before);
    try {
      assertThatThrownBy(audit::close).isInstanceOfSatisfying(UnshippedEventsException.class, e -> {
        assertThat(e.count()).isEqualTo(1);
        assertThat(e.retainedInJournal()).isTrue();
      });
    } finally {
      sink.release();
    }
  }

  /** close() reads the ids of segments not replayed yet for its report, quietly: nothing is counted or reported again. */
  @Test
  void closesReport_ofSegmentsNotReplayedYet_keepsTheLastStoreError() throws Exception {
    List<UUID> ids = new ArrayList<>(leaveInJournal(3));
    Path first = files(".journal").get(0);
    Path second = dir.resolve("segment-00000000000000000001.journal");
    // a second segment: the first one's header, three other events, then a record whose checksum
    // holds but that is not an event
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    bytes.write(Files.readAllBytes(first), 0, dev.auditkit.core.internal.JournalRecord.SEGMENT_HEADER);
    List<byte[]> payloads = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      AuditEvent e = AuditEvent.builder().action("invoice.updated").resource("invoice", "later-" + i).build();
      ids.add(e.id());
      payloads.add(dev.auditkit.core.internal.EventJson.bytes(e));
    }
    payloads.add("{\"not\":\"an event\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    for (byte[] payload : payloads) {
      java.nio.ByteBuffer record = dev.auditkit.core.internal.JournalRecord.encode(System.currentTimeMillis(), payload);
      bytes.write(record.array(), record.arrayOffset() + record.position(), record.remaining());
    }
    Files.write(second, bytes.toByteArray());
    GatedSink down = new GatedSink().failAlways(true);
    AuditLog audit = journaled(down).closeTimeout(Duration.ofMillis(200)).build();
    Await.until("the first segment in the store's hands", WAIT, () -> down.attempts.get() > 0);
    assertThatThrownBy(audit::close).isInstanceOfSatisfying(UnshippedEventsException.class, e -> {
      assertThat(e.getCause()).isInstanceOf(AuditWriteException.class).hasMessageContaining("store is down");
      assertThat(e.oldestIds()).containsExactlyInAnyOrderElementsOf(ids); // the second segment's too
    });
    assertThat(audit.health().corruptRecordsSkipped()).as("the second segment was never replayed").isZero();
    assertThat(audit.health().lastError()).hasValueSatisfying(m -> assertThat(m).contains("store is down"));
  }

  @Test
  void aSegmentWithADamagedHeader_isStillReplayed_andKeptForInspection() throws IOException {
    List<UUID> ids = leaveInJournal(10);
    Path seg = files(".journal").get(0);
    byte[] data = Files.readAllBytes(seg);
    data[3] ^= 0x10; // one flipped bit in the segment header
    Files.write(seg, data);
    GatedSink sink = new GatedSink();
    AuditLog audit = journaled(sink).build();
    Await.until("replayed", WAIT, () -> sink.store.size() == 10);
    assertThat(sink.store.events()).extracting(AuditEvent::id).containsExactlyElementsOf(ids);
    assertThat(audit.health().lastError()).hasValueSatisfying(m -> assertThat(m).contains("damaged segment header"));
    assertThat(audit.health().corruptRecordsSkipped()).as("no record skipped").isZero();
    audit.close();
    assertThat(files(".corrupt")).hasSize(1);
  }
}

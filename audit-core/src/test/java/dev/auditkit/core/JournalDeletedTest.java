package dev.auditkit.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A journal file deleted behind a running log (a clean-up job, an operator): the active segment is
 * written to its path again from the file the journal still has open, within about a second, so
 * the events in it survive a crash after all; spilled records in it are read back through the open
 * file; a deleted directory is made and locked again.
 */
class JournalDeletedTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  /** More than the journal's one look per second. */
  private static final long PAST_ONE_LOOK_MS = 1_300;
  @TempDir Path dir;
  @TempDir Path elsewhere;

  private AuditLog.Builder journaled(AuditSink sink, JournalDurability durability) {
    return AuditLog.builder().store(sink).delivery(Delivery.ASYNC).journal(dir).journalDurability(durability)
        .retryBackoff(Duration.ofMillis(1), Duration.ofMillis(20)).closeOnShutdown(false);
  }

  private static List<Path> segments(Path d) throws IOException {
    try (Stream<Path> s = Files.list(d)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".journal")).sorted().collect(Collectors.toList());
    }
  }

  private static void deleteSegments(Path d) throws IOException {
    for (Path p : segments(d)) {
      Files.delete(p);
    }
  }

  /**
   * What a crash would leave: the segment files as they are on disk now, replayed by a new log
   * into a store of its own; the ids that store then holds.
   */
  private List<UUID> replayedFromACopy() throws Exception {
    Path copy = Files.createTempDirectory(elsewhere, "copy");
    for (Path p : segments(dir)) {
      Files.copy(p, copy.resolve(p.getFileName()));
    }
    InMemoryAuditStore store = new InMemoryAuditStore();
    AuditLog after = AuditLog.builder().store(store).delivery(Delivery.ASYNC).journal(copy).closeOnShutdown(false)
        .build();
    Await.until("replayed", WAIT, () -> after.health().unshipped() == 0);
    after.close();
    return store.events().stream().map(AuditEvent::id).collect(Collectors.toList());
  }

  @ParameterizedTest
  @EnumSource(JournalDurability.class)
  void aDeletedActiveSegment_isWrittenAgain_soItsEventsSurviveACrash(JournalDurability durability) throws Exception {
    GatedSink sink = new GatedSink().hold(); // the store is stuck: every event stays unshipped
    AuditLog audit = journaled(sink, durability).build();
    List<UUID> ids = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      ids.add(audit.viewed("job", "j-" + i));
    }
    deleteSegments(dir);
    assertThat(replayedFromACopy()).as("nothing on disk now").isEmpty();

    Thread.sleep(PAST_ONE_LOOK_MS);
    ids.add(audit.viewed("job", "after")); // the writer waits in the store: this append looks
    assertThat(segments(dir)).as("the deleted segment written again, and a new one").hasSize(2);
    assertThat(replayedFromACopy()).containsExactlyInAnyOrderElementsOf(ids);
    assertThat(audit.health().lastError()).hasValueSatisfying(e -> assertThat(e).contains("deleted while in use"));
    assertThat(audit.health().journalDegraded()).isFalse();

    sink.release();
    Await.until("all shipped", WAIT, () -> audit.health().unshipped() == 0);
    assertThat(sink.store.events()).extracting(AuditEvent::id).containsExactlyElementsOf(ids);
    audit.close();
    assertThat(segments(dir)).as("the written-again segment is removed once shipped").isEmpty();
  }

  @Test
  void anIdleWriter_looksToo() throws Exception {
    GatedSink sink = new GatedSink();
    AuditLog audit = journaled(sink, JournalDurability.PROCESS_CRASH).build();
    audit.viewed("job", "j-1");
    Await.until("shipped", WAIT, () -> audit.health().unshipped() == 0);
    deleteSegments(dir);
    Await.until("a segment again, without an append", WAIT, () -> !Await.uncheck(() -> segments(dir)).isEmpty());
    UUID next = audit.viewed("job", "j-2");
    Await.until("shipped", WAIT, () -> audit.health().unshipped() == 0);
    assertThat(sink.store.events()).extracting(AuditEvent::id).contains(next).hasSize(2);
    audit.close();
    assertThat(segments(dir)).isEmpty();
  }

  @Test
  void spilledRecordsOfADeletedSegment_areReadBackThroughTheOpenFile() throws Exception {
    GatedSink sink = new GatedSink().hold();
    AuditLog audit = journaled(sink, JournalDurability.PROCESS_CRASH).queueCapacity(4).batchSize(10)
        .spillAfter(Duration.ZERO).build();
    List<UUID> ids = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      ids.add(audit.viewed("job", "j-" + i));
    }
    assertThat(audit.health().journalOnly()).isGreaterThan(150);
    deleteSegments(dir);
    sink.release(); // the writer reads the spilled records back at once, before any look
    Await.until("all shipped", WAIT, () -> audit.health().unshipped() == 0);
    assertThat(sink.store.events()).extracting(AuditEvent::id).containsExactlyElementsOf(ids);
    assertThat(audit.health().corruptRecordsSkipped()).isZero();
    audit.close();
  }

  @Test
  void aDeletedDirectory_isMadeAndLockedAgain() throws Exception {
    GatedSink sink = new GatedSink().hold();
    AuditLog audit = journaled(sink, JournalDurability.PROCESS_CRASH).build();
    List<UUID> ids = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      ids.add(audit.viewed("job", "j-" + i));
    }
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) {
        Files.delete(p);
      }
    }
    Thread.sleep(PAST_ONE_LOOK_MS);
    ids.add(audit.viewed("job", "after"));
    assertThat(dir.resolve("journal.lock")).exists();
    assertThat(replayedFromACopy()).containsExactlyInAnyOrderElementsOf(ids);
    assertThatThrownBy(() -> AuditLog.builder().store(new InMemoryAuditStore()).delivery(Delivery.ASYNC).journal(dir)
        .closeOnShutdown(false).build()).as("the directory is this log's again").isInstanceOf(JournalLockedException.class);
    sink.release();
    Await.until("all shipped", WAIT, () -> audit.health().unshipped() == 0);
    assertThat(sink.store.events()).extracting(AuditEvent::id).containsExactlyElementsOf(ids);
    audit.close();
  }

  @Test
  void aSegmentDeletedJustBeforeClose_isKeptForTheNextStart() throws Exception {
    GatedSink sink = new GatedSink().failAlways(true); // the store is down
    AuditLog audit = journaled(sink, JournalDurability.PROCESS_CRASH).closeTimeout(Duration.ofMillis(200)).build();
    List<UUID> ids = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      ids.add(audit.viewed("job", "j-" + i));
    }
    deleteSegments(dir);
    assertThatThrownBy(audit::close).isInstanceOfSatisfying(UnshippedEventsException.class, e -> {
      assertThat(e.count()).isEqualTo(30);
      assertThat(e.retainedInJournal()).isTrue();
    });
    assertThat(replayedFromACopy()).containsExactlyInAnyOrderElementsOf(ids);
  }

  @Test
  void whenTheDeletedSegmentCannotBeWrittenAgain_closeDoesNotClaimItsEventsAreKept() throws Exception {
    Path journalDir = elsewhere.resolve("journal");
    GatedSink sink = new GatedSink().failAlways(true);
    AuditLog audit = AuditLog.builder().store(sink).delivery(Delivery.ASYNC).journal(journalDir)
        .retryBackoff(Duration.ofMillis(1), Duration.ofMillis(20)).closeOnShutdown(false)
        .closeTimeout(Duration.ofMillis(200)).build();
    for (int i = 0; i < 10; i++) {
      audit.viewed("job", "j-" + i);
    }
    try (Stream<Path> all = Files.walk(journalDir)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) {
        Files.delete(p);
      }
    }
    Files.writeString(journalDir, "a file where the directory was"); // it cannot be made again
    assertThatThrownBy(audit::close).isInstanceOfSatisfying(UnshippedEventsException.class, e -> {
      assertThat(e.count()).isEqualTo(10);
      assertThat(e.oldestIds()).hasSize(10);
      assertThat(e.retainedInJournal()).isFalse();
      assertThat(e.getMessage()).containsPattern("journal segment segment-\\d{20}\\.journal is gone")
          .doesNotContain("no journal");
    });
  }

  /** {@code n} events while the store is down, every one spilled, over 4 KiB segments. */
  private AuditLog spilledWithTheStoreDown(int n) {
    AuditLog audit = journaled(new GatedSink().failAlways(true), JournalDurability.PROCESS_CRASH).queueCapacity(4)
        .batchSize(10).spillAfter(Duration.ZERO).journalSegmentBytes(4096).closeTimeout(Duration.ofMillis(300)).build();
    for (int i = 0; i < n; i++) {
      audit.viewed("job", "j-" + i);
    }
    return audit;
  }

  /** Deleted, then filled up and rolled before the next look: written again when it rolls. */
  @ParameterizedTest
  @EnumSource(JournalDurability.class)
  void aDeletedSegmentThatFillsUpBeforeTheNextLook_isWrittenAgainWhenItRolls(JournalDurability durability)
      throws Exception {
    GatedSink sink = new GatedSink().hold();
    AuditLog audit = journaled(sink, durability).journalSegmentBytes(8192).build();
    Thread.sleep(PAST_ONE_LOOK_MS);
    List<UUID> ids = new ArrayList<>();
    ids.add(audit.viewed("job", "first")); // this append looks: the next look is a second away
    deleteSegments(dir);
    for (int i = 0; segments(dir).isEmpty(); i++) { // until the deleted segment rolled
      ids.add(audit.viewed("job", "j-" + i));
    }
    assertThat(replayedFromACopy()).containsExactlyInAnyOrderElementsOf(ids);
    assertThat(audit.health().lastError()).hasValueSatisfying(e -> assertThat(e).contains("deleted while in use"));
    sink.release();
    Await.until("all shipped", WAIT, () -> audit.health().unshipped() == 0);
    assertThat(sink.store.events()).extracting(AuditEvent::id).containsExactlyElementsOf(ids);
    audit.close();
  }

  @Test
  void spilledRecordsOfADeletedSegmentThatRolls_areStillReadBack() throws Exception {
    GatedSink sink = new GatedSink().hold();
    AuditLog audit = journaled(sink, JournalDurability.PROCESS_CRASH).queueCapacity(4).batchSize(10)
        .spillAfter(Duration.ZERO).journalSegmentBytes(64 * 1024).build();
    Thread.sleep(PAST_ONE_LOOK_MS);
    List<UUID> ids = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      ids.add(audit.viewed("job", "j-" + i));
    }
    deleteSegments(dir);
    for (int i = 0; segments(dir).isEmpty(); i++) {
      ids.add(audit.viewed("job", "k-" + i));
    }
    sink.release();
    Await.until("all shipped", WAIT, () -> audit.health().unshipped() == 0);
    assertThat(sink.store.events()).extracting(AuditEvent::id).containsExactlyElementsOf(ids);
    assertThat(audit.health().corruptRecordsSkipped()).isZero();
    audit.close();
  }

  @Test
  void closeDoesNotClaimSpilledEventsAreKept_whenASegmentHoldingThemIsGone() throws Exception {
    AuditLog audit = spilledWithTheStoreDown(100);
    List<Path> segs = segments(dir);
    assertThat(segs).hasSizeGreaterThan(3);
    Files.delete(segs.get(1)); // closed already, spilled records only: it cannot be written again
    assertThatThrownBy(audit::close).isInstanceOfSatisfying(UnshippedEventsException.class, e -> {
      assertThat(e.count()).isEqualTo(100);
      assertThat(e.retainedInJournal()).isFalse();
      // the report names the missing file, not "no journal"
      assertThat(e.getMessage()).contains("LOST").contains(segs.get(1).getFileName() + " is gone")
          .doesNotContain("no journal").doesNotContain("memory only");
    });
    assertThat(replayedFromACopy()).hasSizeLessThan(100);
  }

  @Test
  void closeOnAnInterruptedThread_stillWritesADeletedSegmentAgain() throws Exception {
    GatedSink sink = new GatedSink().failAlways(true);
    AuditLog audit = journaled(sink, JournalDurability.PROCESS_CRASH).closeTimeout(Duration.ofMillis(200)).build();
    List<UUID> ids = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      ids.add(audit.viewed("job", "j-" + i));
    }
    deleteSegments(dir);
    java.util.concurrent.atomic.AtomicReference<Throwable> thrown = new java.util.concurrent.atomic.AtomicReference<>();
    java.util.concurrent.atomic.AtomicBoolean flagAfter = new java.util.concurrent.atomic.AtomicBoolean();
    Thread t = new Thread(() -> {
      Thread.currentThread().interrupt(); // a cancelled task, an interrupted shutdown
      try {
        audit.close();
      } catch (Throwable x) {
        thrown.set(x);
      }
      flagAfter.set(Thread.currentThread().isInterrupted());
    });
    t.start();
    t.join(20_000);
    assertThat(thrown.get()).isInstanceOfSatisfying(UnshippedEventsException.class,
        e -> assertThat(e.retainedInJournal()).isTrue());
    assertThat(flagAfter.get()).isTrue();
    assertThat(replayedFromACopy()).containsExactlyInAnyOrderElementsOf(ids);
  }

  /** Read back for the report, the spill ends: the report must still know which segments held it. */
  @Test
  void closeDoesNotClaimSpilledEventsAreKept_whenTheDeletedActiveSegmentCannotBeWrittenAgain() throws Exception {
    AuditLog audit = spilledWithTheStoreDown(60);
    List<Path> segs = segments(dir);
    assertThat(segs).hasSizeGreaterThan(2);
    Path active = segs.get(segs.size() - 1);
    Files.delete(active);
    Files.createSymbolicLink(active, dir.resolve("nowhere")); // it cannot be made again there
    assertThatThrownBy(audit::close).isInstanceOfSatisfying(UnshippedEventsException.class, e -> {
      assertThat(e.count()).isEqualTo(60);
      assertThat(e.retainedInJournal()).isFalse();
    });
    assertThat(Files.isRegularFile(active)).isFalse();
  }
}

package dev.auditkit.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.auditkit.core.JournalDurability;
import java.lang.reflect.Field;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A POWER_LOSS journal on a disk whose fsync fails (EIO), in the group commit and when a full
 * segment is closed: the failure is reported, the journal degrades (events are kept in memory
 * for a while, and health says so), the calls waiting return, and every record written stays in
 * its file for the next start. Once the retry time has come and the disk works, journaling resumes.
 */
class JournalFsyncFailureTest {
  private static final int SEGMENT = 1024;
  private static final byte[] PAYLOAD = new byte[100];

  @TempDir Path dir;
  private final List<String> errors = new CopyOnWriteArrayList<>();
  /** How many of the next fsyncs fail. */
  private final AtomicInteger failForce = new AtomicInteger();
  private Journal journal;

  private Journal open() {
    return Journal.open(dir, JournalDurability.POWER_LOSS, SEGMENT, Long.MAX_VALUE, (m, e) -> errors.add(m),
        f -> new FaultyChannel(Journal.SegmentFiles.REAL.create(f), failForce));
  }

  @AfterEach
  void close() {
    if (journal != null) {
      journal.close();
    }
  }

  private Journal.Appended append(long acceptedAt) {
    return assertTimeoutPreemptively(Duration.ofSeconds(10), () -> journal.append(acceptedAt, PAYLOAD));
  }

  /** The retry time after a failure, brought forward (it is 5 s). */
  private void retryNow() throws Exception {
    Field f = Journal.class.getDeclaredField("retryAt");
    f.setAccessible(true);
    synchronized (appendLock()) {
      f.setLong(journal, System.nanoTime() - 1);
    }
  }

  private Object appendLock() throws Exception {
    Field f = Journal.class.getDeclaredField("appendLock");
    f.setAccessible(true);
    return f.get(journal);
  }

  private long recordsForTheNextStart() {
    journal.close();
    journal = Journal.open(dir, JournalDurability.POWER_LOSS, SEGMENT, (m, e) -> { });
    return journal.recovered().stream().mapToLong(Journal.Recovered::records).sum();
  }

  /**
   * A group commit's fsync fails while another caller fills the segment and the next one starts
   * (Linux reports a writeback error to one fsync only, so the roll's own fsync may succeed): the
   * disk just failed, so the journal degrades although the failed segment is no longer the active one.
   */
  @Test
  void aGroupCommitFailingAfterTheSegmentRolled_stillDegradesTheJournal() throws Exception {
    java.util.concurrent.CountDownLatch entered = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    AtomicBoolean armed = new AtomicBoolean();
    journal = Journal.open(dir, JournalDurability.POWER_LOSS, SEGMENT, Long.MAX_VALUE, (m, e) -> errors.add(m),
        f -> new FaultyChannel(Journal.SegmentFiles.REAL.create(f), () -> {
          if (armed.compareAndSet(true, false)) { // this one force: held, then failed; the others work
            entered.countDown();
            try {
              release.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            throw new IOException("Input/output error (a test's failing disk)");
          }
        }));
    int written = 0;
    Journal.Appended last = append(++written);
    int record = JournalRecord.HEADER + PAYLOAD.length;
    while (last.segment().bytes() + 2L * record < SEGMENT) { // two records short of full
      last = append(++written);
    }
    armed.set(true);
    java.util.concurrent.atomic.AtomicReference<Journal.Appended> first = new java.util.concurrent.atomic.AtomicReference<>();
    long firstAt = ++written;
    Thread groupCommitter = new Thread(() -> first.set(journal.append(firstAt, PAYLOAD)), "group-committer");
    groupCommitter.start();
    assertThat(entered.await(10, java.util.concurrent.TimeUnit.SECONDS)).as("its fsync is under way").isTrue();
    Journal.Appended filling = append(++written); // fills the segment: its fsync works, the next one starts
    assertThat(filling).isNotNull();
    assertThat(journal.degraded()).as("not yet").isFalse();
    release.countDown(); // the group commit's fsync fails now
    groupCommitter.join(10_000);
    assertThat(first.get()).as("the call returns").isNotNull();
    assertThat(journal.degraded()).as("the disk failed an fsync: degraded").isTrue();
    assertThat(errors).anySatisfy(m -> assertThat(m).contains("Input/output error"));
    assertThat(append(++written)).as("kept in memory only while degraded").isNull();
    written--;
    assertThat(recordsForTheNextStart()).as("every record journaled is in its file").isEqualTo(written);
  }

  @Test
  void aFailedGroupCommit_degradesTheJournal_theCallReturns_andItsRecordStays() throws Exception {
    journal = open();
    assertThat(append(1)).isNotNull();
    failForce.set(Integer.MAX_VALUE); // the disk fails from now on
    assertThat(append(2)).as("the call returns: its event is still shipped from memory").isNotNull();
    assertThat(journal.degraded()).isTrue();
    assertThat(errors).anySatisfy(m -> assertThat(m).contains("fsync of journal segment").contains("Input/output error"));
    assertThat(append(3)).as("kept in memory only while degraded").isNull();

    failForce.set(0);
    retryNow();
    assertThat(append(4)).isNotNull();
    assertThat(journal.degraded()).as("journaling again").isFalse();
    assertThat(recordsForTheNextStart()).as("records 1, 2 and 4 are in their files").isEqualTo(3);
  }

  /**
   * The segment that an append fills is forced before the next one starts. When that fsync fails,
   * even once (the next one would succeed), no new segment is started on a disk that just lost
   * records: the journal degrades until the retry time, as after a failed group commit.
   */
  @Test
  void aFailedFsyncOfAFullSegment_degradesTheJournal_insteadOfStartingTheNextOne() throws Exception {
    journal = open();
    int written = 0;
    Journal.Appended last = append(1);
    written++;
    // append until the next record fills the segment, then let the disk fail
    while (last.segment().bytes() + JournalRecord.HEADER + PAYLOAD.length < SEGMENT) {
      last = append(written + 1);
      written++;
    }
    failForce.set(1);
    Journal.Appended filling = append(written + 1);
    written++;
    assertThat(filling).as("the call returns: its event is still shipped from memory").isNotNull();
    assertThat(journal.degraded()).as("degraded when the full segment's fsync failed").isTrue();
    assertThat(errors).anySatisfy(m -> assertThat(m).contains("failed when it was full"));
    assertThat(append(written + 1)).as("no segment on the failing disk: kept in memory only").isNull();

    retryNow();
    assertThat(append(written + 2)).isNotNull();
    written++;
    assertThat(journal.degraded()).isFalse();
    assertThat(recordsForTheNextStart()).as("every record journaled is in its file").isEqualTo(written);
  }
}

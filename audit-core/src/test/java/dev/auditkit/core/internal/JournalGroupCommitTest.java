package dev.auditkit.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.auditkit.core.JournalDurability;
import java.lang.reflect.Field;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * POWER_LOSS group commit and interrupts: a call returns only once an fsync covers its record, even
 * when its thread is interrupted while it waits for another caller's fsync, or during the fsync it
 * performs itself (which closes the file's channel: the fsync is done again through a new one).
 * The interleavings are made by holding the journal's own monitors (read by reflection).
 */
class JournalGroupCommitTest {
  @TempDir Path dir;
  private final List<String> errors = new CopyOnWriteArrayList<>();
  private Journal journal;
  private Object syncMonitor;

  @BeforeEach
  void open() throws Exception {
    journal = Journal.open(dir, JournalDurability.POWER_LOSS, 1 << 20, (m, e) -> errors.add(m));
    syncMonitor = field("syncMonitor");
  }

  @AfterEach
  void close() {
    journal.close();
  }

  private Object field(String name) throws Exception {
    Field f = Journal.class.getDeclaredField(name);
    f.setAccessible(true);
    return f.get(journal);
  }

  private void otherCallerSyncing(boolean on) throws Exception {
    Field f = Journal.class.getDeclaredField("syncing");
    f.setAccessible(true);
    synchronized (syncMonitor) {
      f.set(journal, on);
      syncMonitor.notifyAll();
    }
  }

  private long durable() throws Exception {
    return ((AtomicLong) field("durable")).get();
  }

  /** A caller appending one record: what append returned, and whether its interrupt flag was set after. */
  private Thread appending(AtomicReference<Journal.Appended> result, AtomicBoolean flagAfter) {
    Thread caller = new Thread(() -> {
      result.set(journal.append(2L, new byte[] {2, 2, 2}));
      flagAfter.set(Thread.currentThread().isInterrupted());
    }, "caller");
    caller.start();
    return caller;
  }

  private static void awaitState(Thread t, Thread.State s) throws InterruptedException {
    long end = System.nanoTime() + 10_000_000_000L;
    while (t.getState() != s) {
      assertThat(System.nanoTime()).as("%s reaching %s", t.getName(), s).isLessThan(end);
      Thread.sleep(1);
    }
  }

  @Test
  void aCallerInterruptedWhileWaitingForTheGroupCommit_waitsOnForItsFsync_andKeepsItsFlag() throws Exception {
    journal.append(1L, new byte[] {1});
    otherCallerSyncing(true); // as if another caller's fsync were slow
    AtomicReference<Journal.Appended> result = new AtomicReference<>();
    AtomicBoolean flagAfter = new AtomicBoolean();
    Thread caller = appending(result, flagAfter);
    awaitState(caller, Thread.State.WAITING);
    caller.interrupt(); // a cancelled task, say
    Thread.sleep(50);
    assertThat(caller.getState()).as("still waiting for an fsync that covers its record").isEqualTo(Thread.State.WAITING);
    assertThat(result.get()).isNull();
    otherCallerSyncing(false); // that fsync ends (before this record): the caller forces the file itself
    caller.join(10_000);
    assertThat(result.get()).isNotNull();
    assertThat(durable()).isGreaterThanOrEqualTo(result.get().position());
    assertThat(flagAfter.get()).as("the interrupt is the caller's").isTrue();
    assertThat(errors).isEmpty();
    assertThat(journal.degraded()).isFalse();
  }

  @Test
  void anInterruptDuringTheFsync_closesTheChannel_andTheFsyncIsDoneAgainThroughANewOne() throws Exception {
    otherCallerSyncing(true);
    AtomicReference<Journal.Appended> result = new AtomicReference<>();
    AtomicBoolean flagAfter = new AtomicBoolean();
    Thread caller = appending(result, flagAfter);
    awaitState(caller, Thread.State.WAITING);
    JournalSegment first;
    synchronized (field("appendLock")) {
      first = (JournalSegment) field("active");
      otherCallerSyncing(false); // the caller takes the commit over, then needs the append lock
      awaitState(caller, Thread.State.BLOCKED);
      caller.interrupt(); // set when it forces: the channel is closed by the fsync's interrupt check
    }
    caller.join(10_000);
    assertThat(result.get()).isNotNull();
    assertThat(durable()).isGreaterThanOrEqualTo(result.get().position());
    assertThat(flagAfter.get()).isTrue();
    assertThat(errors).as("done again, nothing to report").isEmpty();
    assertThat(field("active")).as("a new segment goes on").isNotSameAs(first);
    assertThat(journal.append(3L, new byte[] {3})).isNotNull();
    assertThat(journal.degraded()).isFalse();
  }
}

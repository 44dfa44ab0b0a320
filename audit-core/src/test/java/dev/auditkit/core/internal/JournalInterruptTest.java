package dev.auditkit.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.auditkit.core.JournalDurability;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Interrupts while a segment rolls over: an interrupt met by the fsync of the full segment or by the
 * header write of the next one is kept for the caller, and the journal goes on in a new segment at
 * once, instead of running in memory for 5 s as after a disk failure.
 */
class JournalInterruptTest {
  @TempDir Path dir;

  @Test
  void anInterruptAtTheFsyncOfARoll_doesNotStopTheNextSegment_andIsGivenBack() throws Exception {
    List<String> errors = new CopyOnWriteArrayList<>();
    // the report of the deleted segment comes just before roll() forces it: the interrupt lands there
    Journal j = Journal.open(dir, JournalDurability.POWER_LOSS, 200, (m, e) -> {
      errors.add(m);
      if (m.contains("deleted while in use")) {
        Thread.currentThread().interrupt();
      }
    });
    try {
      assertThat(j.append(1L, new byte[100])).isNotNull(); // 128 of 200 bytes
      try (Stream<Path> s = Files.list(dir)) {
        for (Path p : s.filter(p -> p.toString().endsWith(".journal")).toList()) {
          Files.delete(p); // roll() writes it again, and reports, before it forces it
        }
      }
      assertThat(j.append(2L, new byte[100])).isNotNull(); // fills the segment: roll()
      assertThat(Thread.interrupted()).as("the interrupt is the caller's").isTrue();
      assertThat(j.append(3L, new byte[10])).as("the next append is journaled").isNotNull();
      assertThat(j.degraded()).isFalse();
      assertThat(errors).noneMatch(m -> m.contains("cannot be created") || m.contains("fsync"));
    } finally {
      j.close();
    }
  }

  @Test
  void interruptsWhileSegmentsRollOver_neverTurnTheJournalOff() throws Exception {
    List<String> errors = new CopyOnWriteArrayList<>();
    Journal j = Journal.open(dir, JournalDurability.POWER_LOSS, 64, (m, e) -> errors.add(m)); // a segment per record
    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger memoryOnly = new AtomicInteger();
    Thread caller = new Thread(() -> {
      byte[] p = new byte[100];
      while (!stop.get()) {
        Thread.interrupted();
        if (j.append(1L, p) == null) {
          memoryOnly.incrementAndGet();
        }
      }
    }, "caller");
    caller.start();
    interruptFor2s(caller, 2_000_000);
    stop.set(true);
    caller.join(10_000);
    j.close();
    assertThat(errors).noneMatch(m -> m.contains("cannot be created"));
    assertThat(j.degraded()).isFalse();
  }

  @Test
  void openingOnAnInterruptedThread_keepsItsFlag_andLeavesNothingOwedToALaterCall() {
    Journal first = Journal.open(dir, JournalDurability.POWER_LOSS, 1 << 20, (m, e) -> { });
    first.append(1L, new byte[] {1});
    first.close(); // unshipped: the segment stays for the next start
    List<String> errors = new CopyOnWriteArrayList<>();
    Thread.currentThread().interrupt(); // a cancelled task building the AuditLog
    Journal j = Journal.open(dir, JournalDurability.POWER_LOSS, 1 << 20, (m, e) -> errors.add(m));
    try {
      assertThat(Thread.interrupted()).as("the builder's interrupt is kept").isTrue();
      assertThat(j.append(2L, new byte[] {2})).isNotNull();
      assertThat(Thread.interrupted()).as("no interrupt for a later call").isFalse();
      assertThat(j.recovered()).hasSize(1);
      assertThat(j.degraded()).isFalse();
      assertThat(errors).isEmpty();
    } finally {
      j.close();
    }
  }

  /** The group commit's fsync runs outside the append lock: an interrupt there closes the file under other callers. */
  @Test
  void anotherCallersInterruptDuringTheFsync_doesNotTurnTheJournalOffForTheOthers() throws Exception {
    List<String> errors = new CopyOnWriteArrayList<>();
    Journal j = Journal.open(dir, JournalDurability.POWER_LOSS, 1 << 20, (m, e) -> errors.add(m));
    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger memoryOnly = new AtomicInteger();
    AtomicInteger appended = new AtomicInteger();
    Thread calm = new Thread(() -> {
      byte[] p = new byte[100];
      while (!stop.get()) {
        if (j.append(1L, p) == null) {
          memoryOnly.incrementAndGet();
        } else {
          appended.incrementAndGet();
        }
      }
    }, "never-interrupted");
    Thread interrupted = new Thread(() -> {
      byte[] p = new byte[100];
      while (!stop.get()) {
        Thread.interrupted();
        j.append(1L, p);
      }
    }, "interrupted");
    calm.start();
    interrupted.start();
    interruptFor2s(interrupted, 1_000_000);
    stop.set(true);
    calm.join(10_000);
    interrupted.join(10_000);
    j.close();
    assertThat(appended.get()).isPositive();
    assertThat(memoryOnly.get()).as("appends kept in memory only, of a caller never interrupted; %s", errors).isZero();
    assertThat(errors).noneMatch(m -> m.contains("ClosedChannelException") || m.contains("failed"));
  }

  /** Interrupts {@code t} every {@code periodNanos} for two seconds. */
  private static void interruptFor2s(Thread t, long periodNanos) {
    long end = System.nanoTime() + 2_000_000_000L;
    while (System.nanoTime() < end) {
      t.interrupt();
      java.util.concurrent.locks.LockSupport.parkNanos(periodNanos);
    }
  }
}

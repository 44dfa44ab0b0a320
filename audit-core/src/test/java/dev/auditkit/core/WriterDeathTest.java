package dev.auditkit.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A writer thread killed by a {@code VirtualMachineError} from the sink (the one kind of failure it
 * does not retry): later calls fail loudly instead of queueing for nobody, and what the journal
 * keeps is still counted as unshipped, reported by close and shipped by the next start.
 */
class WriterDeathTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  @TempDir Path dir;

  /** Holds the first write until released, then throws a StackOverflowError: the writer dies. */
  private static final class DyingSink implements AuditSink {
    final CountDownLatch entered = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    volatile Thread writer;

    @Override
    public void write(List<AuditEvent> events) {
      writer = Thread.currentThread();
      entered.countDown();
      try {
        release.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      throw new StackOverflowError("a sink blew its stack (test)");
    }
  }

  private static void awaitWriterStopped(AuditLog audit, DyingSink sink) throws InterruptedException {
    sink.writer.join(WAIT.toMillis());
    assertThat(sink.writer.isAlive()).as("the writer stops").isFalse();
    assertThat(audit.health().lastError()).hasValueSatisfying(m -> assertThat(m).contains("writer thread stopped")
        .contains("StackOverflowError"));
  }

  /** With 20 events first the queue fills and the rest spill, so later ones spill too; with 1 they are queued. */
  @ParameterizedTest
  @ValueSource(ints = {1, 20})
  void journaledEventsRefusedByADeadWriter_stayCounted_andTheNextStartShipsEveryOne(int first) throws Exception {
    DyingSink sink = new DyingSink();
    AuditLog audit = AuditLog.builder().store(sink).delivery(Delivery.ASYNC).journal(dir).queueCapacity(4)
        .batchSize(2).batchDelay(Duration.ZERO).spillAfter(Duration.ZERO).closeTimeout(Duration.ofMillis(200))
        .closeOnShutdown(false).build();
    List<UUID> accepted = new ArrayList<>();
    for (int i = 0; i < first; i++) { // the writer holds the first batch; the queue fills, the rest spill
      accepted.add(audit.viewed("job", "j-" + i));
    }
    assertThat(sink.entered.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(audit.health().journalOnly() > 0).isEqualTo(first > 4);
    sink.release.countDown();
    awaitWriterStopped(audit, sink);

    // spilled (a spill never ends now) or queued and taken back: refused loudly, but in the journal
    List<UUID> refused = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      String id = "late-" + i;
      assertThatThrownBy(() -> audit.viewed("job", id)).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("writer thread has stopped").hasMessageContaining("is in the journal");
    }
    int all = first + 3;
    assertThat(audit.health().unshipped()).as("accepted and refused ones alike wait in the journal").isEqualTo(all);
    List<UUID> reported = new ArrayList<>();
    assertThatThrownBy(audit::close).isInstanceOfSatisfying(UnshippedEventsException.class, e -> {
      assertThat(e.count()).isEqualTo(all);
      assertThat(e.retainedInJournal()).isTrue();
      assertThat(e.oldestIds()).containsAll(accepted);
      reported.addAll(e.oldestIds());
    });

    InMemoryAuditStore store = new InMemoryAuditStore();
    AuditLog.builder().store(store).delivery(Delivery.ASYNC).journal(dir).build().close(); // replays, ships, closes
    assertThat(store.events()).hasSize(all).extracting(AuditEvent::id).containsAll(accepted).doesNotHaveDuplicates();
    refused.addAll(store.events().stream().map(AuditEvent::id).filter(id -> !accepted.contains(id)).toList());
    assertThat(refused).hasSize(3);
    // fewer than the report's 100: it names every one, the refused ones too (queued ones taken back
    // from the dead writer's queue were in no place close looked at)
    assertThat(reported).as("close names every unshipped event").containsExactlyInAnyOrderElementsOf(
        store.events().stream().map(AuditEvent::id).toList());
  }

  @Test
  void withoutAJournal_aDeadWritersRefusedEvent_isNotRecorded_andNotCounted() throws Exception {
    DyingSink sink = new DyingSink();
    AuditLog audit = AuditLog.builder().store(sink).delivery(Delivery.ASYNC).batchSize(1).batchDelay(Duration.ZERO)
        .closeTimeout(Duration.ofMillis(200)).closeOnShutdown(false).build();
    UUID first = audit.viewed("job", "first");
    assertThat(sink.entered.await(10, TimeUnit.SECONDS)).isTrue();
    sink.release.countDown();
    awaitWriterStopped(audit, sink);
    assertThatThrownBy(() -> audit.viewed("job", "late")).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("writer thread has stopped").hasMessageContaining("was not recorded");
    assertThat(audit.health().unshipped()).as("only the one in flight when it died").isEqualTo(1);
    assertThatThrownBy(audit::close).isInstanceOfSatisfying(UnshippedEventsException.class, e -> {
      assertThat(e.count()).isEqualTo(1);
      assertThat(e.oldestIds()).containsExactly(first);
      assertThat(e.retainedInJournal()).isFalse();
    });
  }
}

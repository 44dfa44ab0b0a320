package dev.auditkit.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A journal on a full or read-only file system: a small tmpfs mounted by the test (needs root;
 * skipped otherwise, except under CI=true where it fails).
 */
class JournalDiskFaultTest {
  private static final Duration WAIT = Duration.ofSeconds(15);
  @TempDir Path tmp;
  private Path mnt;

  @BeforeEach
  void mountTmpfs() throws Exception {
    boolean root = "root".equals(System.getProperty("user.name"));
    if (!root && !"true".equals(System.getenv("CI"))) {
      org.junit.jupiter.api.Assumptions.abort("needs root to mount a tmpfs");
    }
    mnt = Files.createDirectories(tmp.resolve("mnt"));
    sh("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", mnt.toString());
  }

  @AfterEach
  void unmount() throws Exception {
    if (mnt != null) {
      sh("umount", "-l", mnt.toString());
    }
  }

  private static void sh(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(20, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out);
    }
  }

  private static Map<String, Object> bulky(int i) {
    return Map.of("i", i, "note", "n".repeat(3000));
  }

  @Test
  void aFullDisk_isReported_eventsStayInMemory_nothingIsLost_andJournalingResumesOnceThereIsRoom() throws Exception {
    GatedSink sink = new GatedSink().hold();
    Path journal = mnt.resolve("journal");
    AuditLog audit = AuditLog.builder().store(sink).delivery(Delivery.ASYNC).journal(journal).queueCapacity(10_000)
        .build();
    List<UUID> ids = new ArrayList<>();
    for (int i = 0; i < 600; i++) {
      ids.add(audit.logAction("export_report", "report", "r-" + i, bulky(i)));
    }
    DeliveryHealth h = audit.health();
    assertThat(h.journalDegraded()).isTrue();
    assertThat(h.healthy()).isFalse();
    assertThat(h.lastError()).hasValueSatisfying(m -> assertThat(m).contains("No space left on device")
        .contains("kept in memory"));
    assertThat(h.journalBytes()).isLessThanOrEqualTo(1024 * 1024);
    sink.release();
    Await.until("all shipped", WAIT, () -> sink.store.size() == 600);
    assertThat(sink.store.events()).extracting(AuditEvent::id).containsExactlyElementsOf(ids);
    // shipped segments are removed, which frees the disk; after the retry interval the journal is used again
    Thread.sleep(5_200);
    UUID later = audit.viewed("job", "1");
    assertThat(audit.health().journalDegraded()).isFalse();
    Await.until("shipped", WAIT, () -> sink.store.size() == 601);
    assertThat(sink.store.events().get(600).id()).isEqualTo(later);
    audit.close();
    try (var files = Files.list(journal)) {
      assertThat(files.filter(p -> p.toString().endsWith(".journal"))).isEmpty();
    }
  }

  @Test
  void aReadOnlyJournalDirectory_isReported_replaysWhatItCanRead_andFallsBackToBlock() throws Exception {
    Path journal = mnt.resolve("journal");
    GatedSink down = new GatedSink().failAlways(true);
    AuditLog first = AuditLog.builder().store(down).delivery(Delivery.ASYNC).journal(journal)
        .retryBackoff(Duration.ofMillis(1), Duration.ofMillis(10)).closeTimeout(Duration.ZERO).build();
    List<UUID> old = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      old.add(first.viewed("job", "j-" + i));
    }
    assertThatThrownBy(first::close).isInstanceOf(UnshippedEventsException.class);
    sh("mount", "-o", "remount,ro", mnt.toString());

    GatedSink sink = new GatedSink().hold();
    AuditLog audit = AuditLog.builder().store(sink).delivery(Delivery.ASYNC).journal(journal).queueCapacity(3)
        .batchSize(1).batchDelay(Duration.ZERO).build();
    DeliveryHealth h = audit.health();
    assertThat(h.journalDegraded()).isTrue();
    assertThat(h.lastError()).hasValueSatisfying(m -> assertThat(m).contains("Read-only file system"));
    assertThat(h.unshipped()).isEqualTo(5);
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      List<UUID> fresh = new ArrayList<>();
      Future<?> producer = pool.submit(() -> {
        for (int i = 0; i < 10; i++) {
          fresh.add(audit.viewed("job", "new-" + i));
        }
      });
      Await.until("queue full", WAIT, () -> audit.health().queueDepth() == 3);
      Thread.sleep(100);
      assertThat(producer).as("the caller waits: BLOCK").isNotDone();
      sink.release();
      producer.get(10, TimeUnit.SECONDS);
      audit.close();
      assertThat(sink.store.events()).extracting(AuditEvent::id).doesNotHaveDuplicates()
          .containsAll(old).containsAll(fresh).hasSize(15);
    } finally {
      pool.shutdownNow();
    }
  }
}

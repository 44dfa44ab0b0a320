package dev.auditkit.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.h2.tools.Server;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Acceptance 2: a child JVM writes through a PROCESS_CRASH journal and is killed with SIGKILL
 * mid-load; a new AuditLog on the same journal ships every acknowledged event exactly once. The
 * store is an H2 file database served over TCP by this test, so it outlives the child.
 */
class KillNineFaultTest {

  /** 8192: the queue holds what the store has not taken; 64: most of it is held by the journal only (spilled). */
  @ParameterizedTest(name = "queue capacity {0}")
  @ValueSource(ints = {8192, 64})
  void everyAcknowledgedEvent_survivesKillMinus9_exactlyOnce(int queueCapacity, @TempDir Path tmp) throws Exception {
    Path journal = tmp.resolve("journal");
    Path acks = tmp.resolve("acks.txt");
    Server h2 = Server.createTcpServer("-tcpPort", "0", "-ifNotExists", "-baseDir", tmp.toString()).start();
    try {
      String url = H2TableSink.keptOpen("jdbc:h2:tcp://127.0.0.1:" + h2.getPort() + "/./kill9");
      H2TableSink.createTable(url);
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
          KillNineWriter.class.getName(), url, journal.toString(), acks.toString(), String.valueOf(queueCapacity))
          .redirectErrorStream(true).redirectOutput(tmp.resolve("child.log").toFile()).start();
      try {
        Await.until("child acknowledged 3000 events", Duration.ofSeconds(60),
            () -> AckFiles.count(acks) >= 3000 || !child.isAlive());
        assertThat(child.isAlive()).as("child running; log: %s", log(tmp)).isTrue();
        if (queueCapacity < 3000) {
          Await.until("the child spills", Duration.ofSeconds(60), () -> Await.uncheck(() -> log(tmp))
              .lines().anyMatch(l -> l.startsWith("journalOnly=") && !l.equals("journalOnly=0")));
        }
        assertThatThrownBy(() -> AuditLog.builder().store(new InMemoryAuditStore()).delivery(Delivery.ASYNC)
            .journal(journal).build())
            .as("the journal is locked by the running child").isInstanceOf(JournalLockedException.class)
            .hasMessageContaining("another process");
      } finally {
        child.destroyForcibly();
        assertThat(child.waitFor(20, TimeUnit.SECONDS)).isTrue();
      }
      assertThat(child.exitValue()).as("killed by SIGKILL").isEqualTo(137);

      Set<UUID> acknowledged = AckFiles.read(acks);
      long storedBeforeRestart = H2TableSink.count(url);
      assertThat(storedBeforeRestart).as("the kill left acknowledged events unshipped").isLessThan(acknowledged.size());

      AuditLog audit = AuditLog.builder().store(new H2TableSink(url, 0)).delivery(Delivery.ASYNC).journal(journal)
          .build();
      assertThat(audit.health().unshipped()).isPositive();
      Await.until("journal replayed", Duration.ofSeconds(60), () -> audit.health().unshipped() == 0);
      audit.close();

      Map<UUID, Integer> stored = H2TableSink.ids(url);
      assertThat(stored.keySet()).containsAll(acknowledged);
      assertThat(stored.values()).allMatch(n -> n == 1);
      try (var files = Files.list(journal)) {
        assertThat(files.filter(p -> p.toString().endsWith(".journal"))).as("shipped segments removed").isEmpty();
      }
    } finally {
      H2TableSink.shutdown(H2TableSink.keptOpen("jdbc:h2:tcp://127.0.0.1:" + h2.getPort() + "/./kill9"));
      h2.stop();
    }
  }

  private static String log(Path tmp) throws IOException {
    File f = tmp.resolve("child.log").toFile();
    return f.exists() ? Files.readString(f.toPath()) : "";
  }
}

package dev.auditkit.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.h2.tools.Server;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An ASYNC log without a journal that the host never closes still ships what it acknowledged when
 * the JVM exits normally: at the end of {@code main}, and on SIGTERM in the middle of a load. A
 * child JVM writes into an H2 file database served over TCP by this test, so the rows outlive it.
 */
class ShutdownHookTest {
  @TempDir Path tmp;
  private Server h2;
  private String url;

  @BeforeEach
  void startDatabase() throws Exception {
    h2 = Server.createTcpServer("-tcpPort", "0", "-ifNotExists", "-baseDir", tmp.toString()).start();
    url = H2TableSink.keptOpen("jdbc:h2:tcp://127.0.0.1:" + h2.getPort() + "/./exits");
    H2TableSink.createTable(url);
  }

  @AfterEach
  void stopDatabase() {
    H2TableSink.shutdown(url);
    h2.stop();
  }

  private Process child(long count, boolean closeOnShutdown, int storeDelayMillis) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), ExitingWriter.class.getName(), url,
        Long.toString(count), tmp.resolve("acks.txt").toString(), Boolean.toString(closeOnShutdown),
        Integer.toString(storeDelayMillis))
        .redirectErrorStream(true).redirectOutput(tmp.resolve("child.log").toFile()).start();
  }

  private String log() throws IOException {
    Path f = tmp.resolve("child.log");
    return Files.exists(f) ? Files.readString(f) : "";
  }

  @Test
  void whenMainReturns_theQueuedEventsAreShipped() throws Exception {
    Process p = child(3_000, true, 20);
    assertThat(p.waitFor(90, TimeUnit.SECONDS)).as(log()).isTrue();
    assertThat(p.exitValue()).as(log()).isZero();
    Set<UUID> acked = AckFiles.read(tmp.resolve("acks.txt"));
    assertThat(acked).hasSize(3_000);
    assertThat(H2TableSink.ids(url).keySet()).containsExactlyInAnyOrderElementsOf(acked);
  }

  /** The control: without the hook, what is still queued when main returns is gone. */
  @Test
  void withoutTheHook_whatIsQueuedWhenMainReturnsIsLost() throws Exception {
    Process p = child(3_000, false, 200); // 6 s to ship them all: main returns long before
    assertThat(p.waitFor(90, TimeUnit.SECONDS)).as(log()).isTrue();
    assertThat(p.exitValue()).as(log()).isZero();
    assertThat(AckFiles.read(tmp.resolve("acks.txt"))).hasSize(3_000);
    assertThat(H2TableSink.count(url)).isLessThan(3_000);
  }

  @Test
  void onSigtermMidLoad_everyAcknowledgedEventIsShipped() throws Exception {
    Process p = child(0, true, 20);
    try {
      Await.until("child acknowledged 3000 events", Duration.ofSeconds(60),
          () -> AckFiles.count(tmp.resolve("acks.txt")) >= 3_000 || !p.isAlive());
      assertThat(p.isAlive()).as(log()).isTrue();
      p.destroy(); // SIGTERM: shutdown hooks run
      assertThat(p.waitFor(90, TimeUnit.SECONDS)).as(log()).isTrue();
    } finally {
      p.destroyForcibly();
    }
    assertThat(p.exitValue()).as(log()).isEqualTo(143);
    Set<UUID> acked = AckFiles.read(tmp.resolve("acks.txt"));
    assertThat(H2TableSink.count(url)).as("the queue was not empty when the signal came").isGreaterThan(0);
    assertThat(H2TableSink.ids(url).keySet()).as(log()).containsAll(acked);
  }
}

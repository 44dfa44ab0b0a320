package dev.auditkit.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.h2.tools.Server;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Acceptance 1 on H2: the store is reached through a TCP proxy that drops every connection for
 * 10 s in the middle of a 100 000-event load; afterwards exactly those 100 000 events are stored.
 */
class OutageFaultTest {
  private static final int EVENTS = 100_000;
  private static final int THREADS = 4;

  @Test
  void aTenSecondOutageInTheMiddleOfTheLoad_losesAndDuplicatesNothing(@TempDir Path journal) throws Exception {
    Server h2 = Server.createTcpServer("-tcpPort", "0", "-ifNotExists").start();
    try (TcpProxy proxy = new TcpProxy("127.0.0.1", h2.getPort())) {
      String url = "jdbc:h2:tcp://127.0.0.1:" + proxy.port() + "/mem:outage;DB_CLOSE_DELAY=-1";
      H2TableSink.createTable(url);
      AuditLog audit = AuditLog.builder().store(new H2TableSink(url, 0)).delivery(Delivery.ASYNC).journal(journal)
          .batchSize(1000).retryBackoff(Duration.ofMillis(50), Duration.ofSeconds(1)).closeTimeout(Duration.ofSeconds(60))
          .build();
      Set<UUID> acknowledged = ConcurrentHashMap.newKeySet();
      AtomicInteger issued = new AtomicInteger();
      ExecutorService pool = Executors.newFixedThreadPool(THREADS);
      List<Future<?>> producers = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        producers.add(pool.submit(() -> {
          int i;
          while ((i = issued.getAndIncrement()) < EVENTS) {
            acknowledged.add(audit.logAction("update_invoice", "invoice", "inv-" + i, Map.of("n", i)));
          }
        }));
      }
      Await.until("a third of the load written", Duration.ofSeconds(60), () -> acknowledged.size() >= EVENTS / 3);
      proxy.cutFor(Duration.ofSeconds(10));
      long maxFailures = 0;
      long maxAgeMillis = 0;
      while (proxy.isCut()) {
        DeliveryHealth h = audit.health();
        maxFailures = Math.max(maxFailures, h.consecutiveFailures());
        maxAgeMillis = Math.max(maxAgeMillis, h.oldestUnshippedAge().toMillis());
        Thread.sleep(100);
      }
      for (Future<?> f : producers) {
        f.get();
      }
      pool.shutdown();
      audit.close();
      assertThat(maxFailures).as("the outage was seen by the writer").isGreaterThan(1);
      assertThat(maxAgeMillis).as("health showed the backlog ageing").isGreaterThan(5_000);
      assertThat(acknowledged).hasSize(EVENTS);
      assertThat(H2TableSink.count(url)).isEqualTo(EVENTS);
      Map<UUID, Integer> stored = H2TableSink.ids(url);
      assertThat(stored.keySet()).isEqualTo(acknowledged);
      assertThat(stored.values()).allMatch(n -> n == 1);
    } finally {
      h2.stop();
    }
  }
}

package dev.auditkit.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.auditkit.core.AuditLog;
import dev.auditkit.core.Delivery;
import dev.auditkit.core.DeliveryHealth;
import dev.auditkit.testing.TestDatabase;
import dev.auditkit.testing.TestDialect;
import java.net.URI;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
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
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Issue 6, acceptance 1: ASYNC delivery with a journal into {@link JdbcAuditStore} (its own
 * HikariCP pool) through a TCP proxy that drops every connection and refuses new ones for 10 s in
 * the middle of a 100 000-event load. Afterwards the table holds exactly the acknowledged events,
 * each once, and (after {@code sealNow}) every one is sealed into a valid hash chain. The callers
 * are not held up by the outage: what the queue cannot hold waits in the journal only (spilled). PostgreSQL (a
 * fresh schema; skipped without a server unless CI=true) with 100 000 events; H2 (served over TCP by the test) with the same scenario at 20 000 events, because the H2
 * store ingests several times slower and the suite must stay short.
 */
class AsyncOutageFaultTest {
  private static final int THREADS = 4;
  /** Smaller than what the producers still issue when the cut comes, so that the queue overflows. */
  private static final int QUEUE = 2000;

  @TempDir Path journal;

  @ParameterizedTest
  @EnumSource(TestDialect.class)
  void aTenSecondOutageMidLoad_losesAndDuplicatesNothing(TestDialect dialect) throws Exception {
    final int events = dialect == TestDialect.POSTGRESQL ? 100_000 : 20_000;
    Server h2 = null;
    TestDatabase pg = null;
    String directUrl;
    String host;
    int port;
    if (dialect == TestDialect.POSTGRESQL) {
      pg = TestDatabase.open(TestDialect.POSTGRESQL);
      directUrl = pg.jdbcUrl();
      URI uri = URI.create(directUrl.substring("jdbc:".length()));
      host = uri.getHost();
      port = uri.getPort() < 0 ? 5432 : uri.getPort();
    } else {
      h2 = Server.createTcpServer("-tcpPort", "0", "-ifNotExists").start();
      host = "127.0.0.1";
      port = h2.getPort();
      directUrl = "jdbc:h2:tcp://127.0.0.1:" + port + "/mem:outage" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
    }
    try (TcpProxy proxy = new TcpProxy(host, port)) {
      String proxied = directUrl.replace(host + ":" + port, "127.0.0.1:" + proxy.port());
      assertThat(proxied).isNotEqualTo(directUrl);
      JdbcAuditStore store = JdbcAuditStore.create(proxied);
      AuditLog audit = AuditLog.builder().store(store).delivery(Delivery.ASYNC)
          .journal(journal).queueCapacity(QUEUE).batchSize(1000).retryBackoff(Duration.ofMillis(50), Duration.ofSeconds(1))
          .closeTimeout(Duration.ofSeconds(60)).build();
      Set<UUID> acknowledged = ConcurrentHashMap.newKeySet();
      AtomicInteger issued = new AtomicInteger();
      java.util.concurrent.atomic.AtomicLong lastAck = new java.util.concurrent.atomic.AtomicLong(Long.MIN_VALUE);
      ExecutorService pool = Executors.newFixedThreadPool(THREADS);
      List<Future<?>> producers = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        producers.add(pool.submit(() -> {
          int i;
          while ((i = issued.getAndIncrement()) < events) {
            acknowledged.add(audit.logAction("update_invoice", "invoice", "inv-" + i, Map.of("n", i)));
          }
          lastAck.accumulateAndGet(System.nanoTime(), Math::max);
        }));
      }
      awaitAtLeast(acknowledged, events / 3);
      long cutEnds = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      proxy.cutFor(Duration.ofSeconds(10));
      int ackAtCut = acknowledged.size();
      long maxFailures = 0;
      long maxAgeMillis = 0;
      long maxJournalOnly = 0;
      while (proxy.isCut()) {
        DeliveryHealth h = audit.health();
        maxFailures = Math.max(maxFailures, h.consecutiveFailures());
        maxAgeMillis = Math.max(maxAgeMillis, h.oldestUnshippedAge().toMillis());
        maxJournalOnly = Math.max(maxJournalOnly, h.journalOnly());
        Thread.sleep(100);
      }
      for (Future<?> f : producers) {
        f.get();
      }
      pool.shutdown();
      awaitShipped(audit, events);
      store.sealNow();
      audit.close();
      assertThat(maxFailures).as("the writer saw the outage (a pool may wait out most of it in one attempt)")
          .isGreaterThanOrEqualTo(1);
      assertThat(maxAgeMillis).as("health showed the backlog ageing").isGreaterThan(5_000);
      // the journal took what the queue could not hold: with BLOCK the callers would have stopped
      // after QUEUE + one batch, and waited for the store to come back
      assertThat(events - ackAtCut).as("events still to come when the cut began").isGreaterThan(QUEUE + 1000 + THREADS);
      assertThat(lastAck.get() - cutEnds).as("every one acknowledged while the store was unreachable").isNegative();
      assertThat(maxJournalOnly).as("held by the journal only during the outage").isPositive();
      assertThat(acknowledged).hasSize(events);
      try (Connection c = DriverManager.getConnection(directUrl); Statement s = c.createStatement()) {
        try (ResultSet rs = s.executeQuery("select count(*), count(distinct id) from audit_event")) {
          rs.next();
          assertThat(rs.getLong(1)).as("rows").isEqualTo(events);
          assertThat(rs.getLong(2)).as("distinct ids").isEqualTo(events);
        }
        Set<UUID> stored = new HashSet<>();
        try (ResultSet rs = s.executeQuery("select id from audit_event")) {
          while (rs.next()) {
            stored.add(rs.getObject(1, UUID.class));
          }
        }
        assertThat(stored).isEqualTo(acknowledged);
        try (ResultSet rs = s.executeQuery("select count(*) from audit_seal")) {
          rs.next();
          assertThat(rs.getLong(1)).as("every event sealed").isEqualTo(events);
        }
      }
      if (pg != null) {
        Map<String, List<UUID>> chains = Chains.assertValid(pg);
        assertThat(chains.values().stream().mapToInt(List::size).sum()).as("events in valid chains").isEqualTo(events);
      }
    } finally {
      if (h2 != null) {
        h2.stop();
      }
      if (pg != null) {
        pg.close();
      }
    }
  }

  private static void awaitShipped(AuditLog audit, int n) throws InterruptedException {
    long end = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (audit.health().shipped() < n) {
      if (System.nanoTime() > end) {
        throw new AssertionError("not shipped in 90 s after the outage: " + audit.health());
      }
      Thread.sleep(10);
    }
  }

  private static void awaitAtLeast(Set<UUID> ids, int n) throws InterruptedException {
    long end = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (ids.size() < n) {
      if (System.nanoTime() > end) {
        throw new AssertionError("load too slow: " + ids.size() + " of " + n + " events acknowledged in 90 s");
      }
      Thread.sleep(10);
    }
  }
}

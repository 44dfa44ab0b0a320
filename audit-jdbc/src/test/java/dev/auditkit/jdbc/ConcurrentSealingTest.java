package dev.auditkit.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.auditkit.core.AuditEvent;
import dev.auditkit.testing.DatabaseTest;
import dev.auditkit.testing.TestDatabase;
import dev.auditkit.testing.TestDialect;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
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
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;

/** Guarantee 4: many writers and many sealers at once, every event sealed exactly once. */
class ConcurrentSealingTest {
  static final int INSTANCES = 4;
  static final int THREADS = 8;
  static final int EVENTS_PER_THREAD = 5_000;
  static final int TENANTS = 20;
  static final int BATCH = 25;

  @DatabaseTest
  void fourInstancesEightThreadsEachAllSealedOnceGaplessAndValid(TestDatabase db) throws Exception {
    int perThread = EVENTS_PER_THREAD;
    List<JdbcAuditStore> stores = new ArrayList<>();
    for (int i = 0; i < INSTANCES; i++) {
      // separate pools, each with its own background sealer, all on one database
      stores.add(JdbcAuditStore.builder(db.jdbcUrl()).sealInterval(Duration.ofMillis(100)).build());
    }
    Set<UUID> written = ConcurrentHashMap.newKeySet();
    ExecutorService pool = Executors.newFixedThreadPool(INSTANCES * THREADS);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int s = 0; s < INSTANCES; s++) {
        JdbcAuditStore store = stores.get(s);
        for (int t = 0; t < THREADS; t++) {
          int writer = s * THREADS + t;
          futures.add(pool.submit(() -> {
            List<AuditEvent> batch = new ArrayList<>(BATCH);
            for (int i = 0; i < perThread; i++) {
              batch.add(SealingTest.event("org-" + ((writer + i) % TENANTS), i));
              if (batch.size() == BATCH) {
                store.write(batch);
                batch.forEach(e -> written.add(e.id()));
                batch = new ArrayList<>(BATCH);
              }
            }
            store.write(batch);
            batch.forEach(e -> written.add(e.id()));
            return null;
          }));
        }
      }
      for (Future<?> f : futures) {
        f.get(5, TimeUnit.MINUTES);
      }
      stores.get(0).sealNow(Duration.ofMinutes(10));
    } finally {
      pool.shutdownNow();
      stores.forEach(JdbcAuditStore::close);
    }
    int total = INSTANCES * THREADS * perThread;
    assertThat(written).hasSize(total);
    Map<String, List<UUID>> chains = Chains.assertValid(db);
    assertThat(chains).hasSize(TENANTS);
    Set<UUID> sealed = chains.values().stream().flatMap(List::stream).collect(Collectors.toSet());
    assertThat(sealed).hasSize(total).isEqualTo(written);
    assertThat(Chains.count(db, "select count(*) from audit_event")).isEqualTo(total);
  }

  @DatabaseTest
  void writersAndSealersInSeparateProcesses(TestDatabase db, @TempDir Path dir) throws Exception {
    Assumptions.assumeTrue(db.dialect() == TestDialect.POSTGRESQL, "an in-memory H2 database lives in one process");
    int children = 3;
    int perChild = 4_000;
    List<Process> processes = new ArrayList<>();
    for (int i = 0; i < children; i++) {
      Path ids = dir.resolve("ids-" + i + ".txt");
      ProcessBuilder pb = new ProcessBuilder(javaBin(), "-cp", System.getProperty("java.class.path"),
          ChainWriterProcess.class.getName(), db.jdbcUrl(), Integer.toString(perChild), Integer.toString(i),
          ids.toString());
      pb.redirectErrorStream(true).redirectOutput(dir.resolve("out-" + i + ".log").toFile());
      processes.add(pb.start());
    }
    // this process writes and seals too
    Set<UUID> written = new HashSet<>();
    try (JdbcAuditStore store = JdbcAuditStore.builder(db.jdbcUrl()).sealInterval(Duration.ofMillis(100)).build()) {
      for (int i = 0; i < perChild; i += 20) {
        List<AuditEvent> batch = new ArrayList<>();
        for (int j = 0; j < 20; j++) {
          batch.add(SealingTest.event("org-" + (j % 7), i + j));
        }
        store.write(batch);
        batch.forEach(e -> written.add(e.id()));
      }
      for (int i = 0; i < children; i++) {
        Process p = processes.get(i);
        assertThat(p.waitFor(3, TimeUnit.MINUTES)).as("child %d finished", i).isTrue();
        assertThat(p.exitValue()).as("child %d exit; log:%n%s", i,
            Files.readString(dir.resolve("out-" + i + ".log"))).isZero();
        for (String line : Files.readAllLines(dir.resolve("ids-" + i + ".txt"))) {
          written.add(UUID.fromString(line));
        }
      }
      store.sealNow(Duration.ofMinutes(10));
    }
    assertThat(written).hasSize((children + 1) * perChild);
    Map<String, List<UUID>> chains = Chains.assertValid(db);
    assertThat(chains).hasSize(7);
    Set<UUID> sealed = chains.values().stream().flatMap(List::stream).collect(Collectors.toSet());
    assertThat(sealed).isEqualTo(written);
  }

  private static String javaBin() {
    return System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
  }
}

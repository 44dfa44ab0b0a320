package dev.auditkit.benchmarks;

import dev.auditkit.core.AuditEvent;
import dev.auditkit.core.AuditLog;
import dev.auditkit.core.Delivery;
import dev.auditkit.jdbc.JdbcAuditStore;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Where the CPU of a sealed ASYNC ingest goes (Linux only: it reads {@code /proc}): one run of
 * {@code --events} events from two producer threads through the memory queue into
 * {@link JdbcAuditStore} with its background sealer, after {@code --warmups} runs of 100,000; then the CPU seconds of
 * each JVM thread (by name) and of each PostgreSQL process, and how busy that kept the machine.
 * The same load with {@code --sealer off} shows what sealing adds.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar dev.auditkit.benchmarks.IngestCpu [--events 200000] [--sealer off] [--warmups 1]</pre>
 *
 * PostgreSQL from {@code AUDITKIT_PG_URL} (default: the test database), on this host (its
 * processes are read from {@code /proc}); the schemas made here are dropped.
 */
public final class IngestCpu {
  private static final String DEFAULT_URL = "jdbc:postgresql://127.0.0.1:5432/auditkit_test?user=postgres";
  private static final double TICK = 100.0; // USER_HZ on Linux

  private IngestCpu() {}

  public static void main(String[] args) throws Exception {
    ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
        .setLevel(ch.qos.logback.classic.Level.WARN);
    int events = 200_000;
    boolean sealer = true;
    int warmups = 1;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--events" -> events = Integer.parseInt(args[i + 1]);
        case "--sealer" -> sealer = !args[i + 1].equals("off");
        case "--warmups" -> warmups = Integer.parseInt(args[i + 1]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    String env = System.getenv("AUDITKIT_PG_URL");
    String url = env == null || env.isBlank() ? DEFAULT_URL : env;
    for (int w = 0; w < warmups; w++) {
      run(url, Math.min(events, 100_000), sealer, false); // warm-up: JIT, pool, partitions
    }
    run(url, events, sealer, true);
  }

  private static void run(String url, int n, boolean sealer, boolean report) throws Exception {
    String schema = "cpu_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
      s.execute("checkpoint");
    } catch (java.sql.SQLException notSuperuser) {
      // the run shares whatever the checkpointer does
    }
    try {
      JdbcAuditStore.Builder b = JdbcAuditStore.builder(url).schema(schema);
      if (!sealer) {
        b.sealInterval(null);
      }
      JdbcAuditStore store = b.build();
      AuditLog audit = AuditLog.builder().store(store).delivery(Delivery.ASYNC).batchSize(1000).build();
      AuditEvent.Builder template = AsyncAppendBenchmark.template();
      Map<String, Long> jvm0 = jvmThreads();
      Map<String, Long> pg0 = postgres();
      AtomicInteger next = new AtomicInteger();
      AtomicLong producerNanos = new AtomicLong();
      long start = System.nanoTime();
      List<Thread> producers = new ArrayList<>();
      for (int t = 0; t < 2; t++) {
        Thread p = new Thread(() -> {
          while (next.getAndIncrement() < n) {
            audit.appendAuditLog(template);
          }
          producerNanos.addAndGet(ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime());
        }, "producer");
        p.start();
        producers.add(p);
      }
      for (Thread p : producers) {
        p.join();
      }
      while (audit.health().shipped() < n) {
        Thread.sleep(1);
      }
      double wall = (System.nanoTime() - start) / 1e9;
      Map<String, Long> jvm = diff(jvm0, jvmThreads());
      Map<String, Long> pg = diff(pg0, postgres());
      audit.close();
      if (!report) {
        return;
      }
      System.out.printf(Locale.ROOT, "%d events, sealer %s: %.2f s = %.0f events/s%n", n, sealer ? "on" : "off", wall,
          n / wall);
      double total = producerNanos.get() / 1e9;
      System.out.printf(Locale.ROOT, "  %-58s %6.2f s%n", "jvm producer threads (2)", total);
      for (Map.Entry<String, Long> e : jvm.entrySet()) {
        System.out.printf(Locale.ROOT, "  %-58s %6.2f s%n", "jvm " + e.getKey(), e.getValue() / TICK);
        total += e.getValue() / TICK;
      }
      for (Map.Entry<String, Long> e : pg.entrySet()) {
        System.out.printf(Locale.ROOT, "  %-58.58s %6.2f s%n", "pg " + e.getKey(), e.getValue() / TICK);
        total += e.getValue() / TICK;
      }
      int cores = Runtime.getRuntime().availableProcessors();
      System.out.printf(Locale.ROOT, "  %.2f CPU-s in %.2f s: %.0f %% of %d cores%n", total, wall,
          100 * total / wall / cores, cores);
    } finally {
      try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
        s.execute("drop schema if exists " + schema + " cascade");
      }
    }
  }

  /** CPU ticks of this JVM's live threads, summed by name (digits at the end dropped). */
  private static Map<String, Long> jvmThreads() throws IOException {
    Map<String, Long> m = new TreeMap<>();
    try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
      for (Path t : tasks) {
        String stat = read(t.resolve("stat"));
        if (stat != null) {
          String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replaceAll("[0-9]+$", "#");
          m.merge(name, ticks(stat), Long::sum);
        }
      }
    }
    return m;
  }

  /** CPU ticks of every PostgreSQL process on this host, by pid and command line. */
  private static Map<String, Long> postgres() throws IOException {
    Map<String, Long> m = new TreeMap<>();
    try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
      for (Path p : procs) {
        String cmd = read(p.resolve("cmdline"));
        String stat = cmd == null || !cmd.startsWith("postgres") ? null : read(p.resolve("stat"));
        if (stat != null) {
          m.put(p.getFileName() + " " + cmd.replace('\0', ' ').trim(), ticks(stat));
        }
      }
    }
    return m;
  }

  private static long ticks(String stat) {
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime + stime
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException | RuntimeException gone) {
      return null; // the thread or process ended meanwhile
    }
  }

  /** What was used between the two readings, leaving out what used almost nothing. */
  private static Map<String, Long> diff(Map<String, Long> before, Map<String, Long> after) {
    Map<String, Long> d = new TreeMap<>();
    for (Map.Entry<String, Long> e : after.entrySet()) {
      long used = e.getValue() - before.getOrDefault(e.getKey(), 0L);
      if (used > 2) {
        d.put(e.getKey(), used);
      }
    }
    return d;
  }
}

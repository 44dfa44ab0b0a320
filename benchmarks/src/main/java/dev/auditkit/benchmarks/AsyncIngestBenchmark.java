package dev.auditkit.benchmarks;

import dev.auditkit.core.AuditEvent;
import dev.auditkit.core.AuditLog;
import dev.auditkit.core.Delivery;
import dev.auditkit.core.JournalDurability;
import dev.auditkit.jdbc.JdbcAuditStore;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * Sustained {@link Delivery#ASYNC} ingest into PostgreSQL through {@link JdbcAuditStore}, against
 * COPY of the very same rows into an identical table (made by the same store, in a fresh schema),
 * in the same run:
 *
 * <ul>
 *   <li>ASYNC, memory queue: producer threads call {@code appendAuditLog}; the clock stops when
 *       the store has committed the last event;
 *   <li>ASYNC with a PROCESS_CRASH journal, the same;
 *   <li>ASYNC, memory queue, with the store's background sealer off: the ceiling that sealing
 *       takes its share from (on a 2-core machine they compete for the same cores);
 *   <li>COPY baseline: the rows the first run stored, exported with {@code COPY TO} and loaded
 *       with {@code COPY FROM} — once in one statement, once in transactions of the batch size.
 * </ul>
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar dev.auditkit.benchmarks.AsyncIngestBenchmark
 *     [--events 200000] [--threads 2] [--batch 1000] [--rounds 2] [--inline-prototype]</pre>
 *
 * With {@code --inline-prototype} it runs instead the A/B of sealing in the writer's transaction
 * ({@link InlineSealingSink}) against the sealer-off and the background-sealed pipelines.
 *
 * PostgreSQL comes from {@code AUDITKIT_PG_URL} (default: the test database); every schema made
 * here is dropped at the end. Each measurement follows a VACUUM ANALYZE and a CHECKPOINT; the
 * first table shows the best of {@code --rounds} (default 2) alternating rounds, the second each
 * round's rates against that round's COPY and their median, which the machine's swings between
 * rounds move much less.
 */
public final class AsyncIngestBenchmark {
  private static final String DEFAULT_URL = "jdbc:postgresql://127.0.0.1:5432/auditkit_test?user=postgres";

  private final String url;
  private final int events;
  private final int threads;
  private final int batch;
  /** Rounds of every measurement, alternating (--rounds). */
  private int rounds = 2;
  private final List<String> schemas = new ArrayList<>();

  private AsyncIngestBenchmark(String url, int events, int threads, int batch) {
    this.url = url;
    this.events = events;
    this.threads = threads;
    this.batch = batch;
  }

  public static void main(String[] args) throws Exception {
    ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
        .setLevel(ch.qos.logback.classic.Level.WARN);
    int events = 200_000;
    int threads = 2;
    int batch = 1000;
    int rounds = 2;
    boolean inlinePrototype = false;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--inline-prototype")) {
        inlinePrototype = true;
        continue;
      }
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException("option " + args[i] + " needs a value");
      }
      switch (args[i]) {
        case "--events" -> events = Integer.parseInt(args[i + 1]);
        case "--threads" -> threads = Integer.parseInt(args[i + 1]);
        case "--batch" -> batch = Integer.parseInt(args[i + 1]);
        case "--rounds" -> rounds = Integer.parseInt(args[i + 1]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
      i++; // its value
    }
    String env = System.getenv("AUDITKIT_PG_URL");
    AsyncIngestBenchmark b = new AsyncIngestBenchmark(env == null || env.isBlank() ? DEFAULT_URL : env, events, threads,
        batch);
    b.rounds = Math.max(1, rounds);
    if (inlinePrototype) {
      b.runInlinePrototype();
    } else {
      b.run();
    }
  }

  private String freshSchema() {
    String s = "bench_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12).toLowerCase(Locale.ROOT);
    schemas.add(s);
    return s;
  }

  private void run() throws Exception {
    try {
      System.out.printf("events %d, producer threads %d, batch %d, %d cores%n", events, threads, batch,
          Runtime.getRuntime().availableProcessors());
      ingestAsync(freshSchema(), Math.min(events, 100_000), null, true); // warm-up: JIT, pool, partitions
      // every measurement starts after a vacuum and a checkpoint, so none pays for the work the one
      // before left; two alternating rounds, the best of each counts (a run's fsyncs vary a lot here)
      String first = null;
      double memory = 0;
      double journal = 0;
      double copyOne = 0;
      double copyBatched = 0;
      double direct = 0;
      double unsealed = 0;
      byte[] rows = null;
      // per round, each rate divided by that round's COPY/batch: the machine's speed swings between
      // rounds (COPY alone moved 63k to 90k rows/s between runs), much less within one
      double[][] ratios = new double[rounds][4];
      for (int round = 1; round <= rounds; round++) {
        String schema = freshSchema();
        checkpoint();
        double m = ingestAsync(schema, events, null, true);
        memory = Math.max(memory, m);
        if (first == null) {
          first = schema;
          rows = export(first);
        }
        checkpoint();
        double j = ingestAsync(freshSchema(), events, JournalDurability.PROCESS_CRASH, true);
        journal = Math.max(journal, j);
        checkpoint();
        double u = ingestAsync(freshSchema(), events, null, false);
        unsealed = Math.max(unsealed, u);
        checkpoint();
        copyOne = Math.max(copyOne, copy(freshSchema(), rows, Integer.MAX_VALUE));
        checkpoint();
        double c = copy(freshSchema(), rows, batch);
        copyBatched = Math.max(copyBatched, c);
        checkpoint();
        double d = storeWrite(freshSchema(), events);
        direct = Math.max(direct, d);
        ratios[round - 1] = new double[] {d / c, m / c, j / c, u / c};
      }
      System.out.println();
      System.out.printf("%-44s %12s %10s %12s%n", "", "events/s", "vs COPY", "vs COPY/" + batch);
      line("COPY, one statement", copyOne, copyOne, copyBatched);
      line("COPY, " + batch + " rows per transaction", copyBatched, copyOne, copyBatched);
      line("JdbcAuditStore.write, pre-built, one thread", direct, copyOne, copyBatched);
      line("ASYNC, memory queue -> JdbcAuditStore", memory, copyOne, copyBatched);
      line("ASYNC, PROCESS_CRASH journal -> JdbcAuditStore", journal, copyOne, copyBatched);
      line("ASYNC, memory queue, sealer OFF (the ceiling)", unsealed, copyOne, copyBatched);
      System.out.println();
      System.out.printf("each round against its own COPY/%d (median of %d rounds last)%n", batch, rounds);
      String[] names = {"JdbcAuditStore.write, pre-built", "ASYNC, memory queue", "ASYNC, PROCESS_CRASH journal",
          "ASYNC, memory queue, sealer OFF"};
      for (int k = 0; k < names.length; k++) {
        StringBuilder sb = new StringBuilder(String.format("%-44s", names[k]));
        double[] col = new double[rounds];
        for (int r = 0; r < rounds; r++) {
          col[r] = ratios[r][k];
          sb.append(String.format(" %6.2fx", col[r]));
        }
        java.util.Arrays.sort(col);
        double median = rounds % 2 == 1 ? col[rounds / 2] : (col[rounds / 2 - 1] + col[rounds / 2]) / 2;
        System.out.println(sb.append(String.format("   median %5.2fx", median)));
      }
    } finally {
      dropSchemas();
    }
  }

  /**
   * The A/B of docs/architecture.md (hash chains): per round, alternating, the memory-queue
   * pipeline with the sealer off, the same sealed in the writer's transaction by {@link
   * InlineSealingSink}, and the same with the store's background sealer.
   */
  private void runInlinePrototype() throws Exception {
    try {
      System.out.printf("events %d, producer threads %d, batch %d, %d cores%n", events, threads, batch,
          Runtime.getRuntime().availableProcessors());
      ingestAsync(freshSchema(), Math.min(events, 100_000), null, true, false); // warm-up
      ingestAsync(freshSchema(), Math.min(events, 100_000), null, false, true);
      double[][] rates = new double[rounds][];
      for (int round = 0; round < rounds; round++) {
        checkpoint();
        double off = ingestAsync(freshSchema(), events, null, false, false);
        checkpoint();
        double inline = ingestAsync(freshSchema(), events, null, false, true);
        checkpoint();
        double sealed = ingestAsync(freshSchema(), events, null, true, false);
        rates[round] = new double[] {off, inline, sealed};
      }
      System.out.printf("%nevents/s  %14s %26s %22s%n", "sealer off", "sealed in the writer's tx", "background sealer");
      for (int round = 0; round < rounds; round++) {
        System.out.printf("round %-3d %14.0f %26.0f %22.0f%n", round + 1, rates[round][0], rates[round][1],
            rates[round][2]);
      }
    } finally {
      dropSchemas();
    }
  }

  private void dropSchemas() throws java.sql.SQLException {
    try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
      for (String schema : schemas) {
        s.execute("drop schema if exists " + schema + " cascade");
      }
    }
  }

  /**
   * Vacuums and checkpoints, so that no measurement shares the machine with autovacuum working on
   * the tables the run before it filled (which made whichever mode ran first look slower).
   */
  private void checkpoint() {
    try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
      s.execute("vacuum analyze");
      s.execute("checkpoint");
    } catch (java.sql.SQLException e) {
      // not a superuser: the runs share whatever the checkpointer does
    }
  }

  private static void line(String name, double rate, double copyOne, double copyBatched) {
    System.out.printf("%-44s %12.0f %9.2fx %11.2fx%n", name, rate, rate / copyOne, rate / copyBatched);
  }

  private double ingestAsync(String schema, int n, JournalDurability durability, boolean sealed) throws Exception {
    return ingestAsync(schema, n, durability, sealed, false);
  }

  /** {@code inline}: batches go to an {@link InlineSealingSink} on the store's schema, not to the store. */
  private double ingestAsync(String schema, int n, JournalDurability durability, boolean sealed, boolean inline)
      throws Exception {
    JdbcAuditStore.Builder sb = JdbcAuditStore.builder(url).schema(schema);
    if (!sealed) {
      sb.sealInterval(null); // no background sealer: what the rest of the pipeline reaches on its own
    }
    JdbcAuditStore store = sb.build();
    InlineSealingSink inlineSink = inline ? new InlineSealingSink(url, schema) : null;
    dev.auditkit.core.AuditSink target = inline ? inlineSink : store;
    java.util.concurrent.atomic.AtomicLong writes = new java.util.concurrent.atomic.AtomicLong();
    java.util.concurrent.atomic.AtomicLong inStore = new java.util.concurrent.atomic.AtomicLong();
    dev.auditkit.core.AuditSink timed = new dev.auditkit.core.AuditSink() {
      @Override
      public void write(List<AuditEvent> evs) {
        long t0 = System.nanoTime();
        target.write(evs);
        inStore.addAndGet(System.nanoTime() - t0);
        writes.incrementAndGet();
      }

      @Override
      public void close() {
        if (inlineSink != null) {
          inlineSink.close();
        }
        store.close();
      }
    };
    AuditLog.Builder b = AuditLog.builder().store(timed).delivery(Delivery.ASYNC).batchSize(batch);
    Path journal = null;
    if (durability != null) {
      journal = AsyncAppendBenchmark.benchDir("ingest-journal-");
      b.journal(journal).journalDurability(durability);
    }
    AuditLog audit = b.build();
    AuditEvent.Builder template = AsyncAppendBenchmark.template();
    AtomicInteger next = new AtomicInteger();
    List<Thread> producers = new ArrayList<>();
    long start = System.nanoTime();
    for (int t = 0; t < threads; t++) {
      Thread p = new Thread(() -> {
        while (next.getAndIncrement() < n) {
          audit.appendAuditLog(template);
        }
      });
      p.start();
      producers.add(p);
    }
    for (Thread p : producers) {
      p.join();
    }
    long producedAt = System.nanoTime();
    while (audit.health().shipped() < n) {
      Thread.sleep(1);
    }
    long nanos = System.nanoTime() - start;
    long producing = producedAt - start;
    if (inlineSink != null && inlineSink.check() != n) {
      throw new IllegalStateException("the inline prototype did not seal all " + n + " events");
    }
    audit.close();
    AsyncAppendBenchmark.deleteTree(journal);
    long rows = count(schema);
    if (rows != n) {
      throw new IllegalStateException("expected " + n + " rows in " + schema + ", found " + rows);
    }
    double rate = n / (nanos / 1e9);
    System.out.printf("ASYNC %-14s %8d events in %7.2f s = %9.0f events/s (callers done after %.2f s; %d store "
        + "writes, %.0f events each, %.2f s inside the store)%n", (durability == null ? "memory" : durability.name()) + (inline ? " inline" : sealed ? "" : " unsealed"), n,
        nanos / 1e9, rate, producing / 1e9, writes.get(), (double) n / writes.get(), inStore.get() / 1e9);
    return rate;
  }

  /** The store alone: pre-built events written in batches from one thread, no AuditLog. */
  private double storeWrite(String schema, int n) throws Exception {
    List<AuditEvent> all = new ArrayList<>(n);
    AuditEvent.Builder template = AsyncAppendBenchmark.template();
    for (int i = 0; i < n; i++) {
      all.add(template.id(null).build());
    }
    try (JdbcAuditStore store = JdbcAuditStore.builder(url).schema(schema).build()) {
      long start = System.nanoTime();
      for (int i = 0; i < n; i += batch) {
        store.write(all.subList(i, Math.min(n, i + batch)));
      }
      long nanos = System.nanoTime() - start;
      double rate = n / (nanos / 1e9);
      System.out.printf("store.write     %8d events in %7.2f s = %9.0f events/s%n", n, nanos / 1e9, rate);
      return rate;
    }
  }

  private long count(String schema) throws Exception {
    try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("select count(*) from " + schema + ".audit_event")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private byte[] export(String schema) throws Exception {
    try (Connection c = DriverManager.getConnection(url)) {
      CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      copy.copyOut("COPY (SELECT * FROM " + schema + ".audit_event) TO STDOUT", out);
      return out.toByteArray();
    }
  }

  /** COPY the exported rows into an identical, fresh table; {@code perTx} rows per transaction. */
  private double copy(String schema, byte[] rows, int perTx) throws Exception {
    JdbcAuditStore.builder(url).schema(schema).build().close(); // same table, partitions, indexes, triggers
    List<int[]> chunks = new ArrayList<>();
    int from = 0;
    int lines = 0;
    for (int i = 0; i < rows.length; i++) {
      if (rows[i] == '\n' && ++lines == perTx) {
        chunks.add(new int[] {from, i + 1});
        from = i + 1;
        lines = 0;
      }
    }
    if (from < rows.length) {
      chunks.add(new int[] {from, rows.length});
    }
    long start;
    try (Connection c = DriverManager.getConnection(url)) {
      c.setAutoCommit(false);
      CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
      start = System.nanoTime();
      for (int[] ch : chunks) {
        copy.copyIn("COPY " + schema + ".audit_event FROM STDIN", new ByteArrayInputStream(rows, ch[0], ch[1] - ch[0]));
        c.commit();
      }
    }
    long nanos = System.nanoTime() - start;
    long n = count(schema);
    double rate = n / (nanos / 1e9);
    System.out.printf("COPY  %-14s %8d rows   in %7.2f s = %9.0f rows/s%n",
        perTx == Integer.MAX_VALUE ? "one statement" : perTx + "/tx", n, nanos / 1e9, rate);
    return rate;
  }
}

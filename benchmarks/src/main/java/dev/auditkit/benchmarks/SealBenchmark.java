package dev.auditkit.benchmarks;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.auditkit.core.AuditEvent;
import dev.auditkit.core.AuditLimits;
import dev.auditkit.core.chain.ChainVerification;
import dev.auditkit.core.chain.CheckpointSigner;
import dev.auditkit.jdbc.JdbcAuditStore;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;

/**
 * Sealing and verification against PostgreSQL, one table on stdout:
 * <ol>
 *   <li>sealing throughput of one chain: N committed events of one tenant, then {@code sealNow()}
 *       (read the events' hashes, chain them, write the seals, sign checkpoints), best of two
 *       rounds, beside the same with a pool too small to lend the sealer a second connection;
 *   <li>{@code verify} of that chain streaming from PostgreSQL;
 *   <li>sealing lag while ingest runs: N events over 50 tenants written as fast as the store takes
 *       them with the background sealer on (default interval); lag = seal time - row write time.
 * </ol>
 * Run: {@code java -cp benchmarks/target/benchmarks.jar dev.auditkit.benchmarks.SealBenchmark [--events N]}
 */
public final class SealBenchmark {
  private static final String DEFAULT_URL = "jdbc:postgresql://127.0.0.1:5432/auditkit_test?user=postgres";

  private SealBenchmark() {}

  public static void main(String[] argv) throws Exception {
    ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
        .setLevel(ch.qos.logback.classic.Level.WARN);
    int n = 200_000;
    for (int i = 0; i + 1 < argv.length; i += 2) {
      if (argv[i].equals("--events")) {
        n = Integer.parseInt(argv[i + 1]);
      }
    }
    String url = System.getenv().getOrDefault("AUDITKIT_PG_URL", DEFAULT_URL);
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(url);
    config.setMaximumPoolSize(6);
    // a key of this run's own (no key file is kept in the repository for benchmarks)
    java.security.KeyPair keys = CheckpointSigner.newKeyPair();
    CheckpointSigner signer = CheckpointSigner.fromPem(
        dev.auditkit.core.chain.internal.Pem.encode("PRIVATE KEY", keys.getPrivate().getEncoded()),
        dev.auditkit.core.chain.internal.Pem.encode("PUBLIC KEY", keys.getPublic().getEncoded()));
    List<String[]> table = new ArrayList<>();
    try (HikariDataSource ds = new HikariDataSource(config)) {
      System.err.printf("generating %,d events...%n", n);
      List<AuditEvent> mixed = IngestBenchmark.generate(n, new Random(42));
      List<AuditEvent> oneChain = new ArrayList<>(n);
      for (AuditEvent e : mixed) {
        oneChain.add(e.toBuilder().tenantId("org-1").build(AuditLimits.unlimited()));
      }

      // warm-up on a schema of its own: several sealing passes and a verify, so that the measured
      // runs see compiled code (one 20,000-event pass left the first measured passes interpreted)
      String warm = schema(ds);
      try (JdbcAuditStore s = store(ds, warm, signer, null)) {
        write(s, oneChain.subList(0, Math.min(n, 100_000)));
        s.sealNow();
        s.verify("t:org-1");
      }
      drop(ds, warm);

      // sealing one chain, two ways, alternating, best of two rounds each (this VM's disk and
      // neighbours make single runs vary by a quarter): with a pool that lends the sealer a second
      // connection (it reads there while its own connection stores the seals), and with a pool of
      // two, where a pass reads first and then writes
      long[] best = new long[2];
      HikariConfig small = new HikariConfig();
      small.setJdbcUrl(url);
      small.setMaximumPoolSize(2);
      try (HikariDataSource two = new HikariDataSource(small)) {
        for (int round = 0; round < 4; round++) {
          int mode = round % 2;
          String one = schema(ds);
          try (JdbcAuditStore s = store(mode == 0 ? ds : two, one, signer, null)) {
            System.err.printf("writing one chain (round %d)...%n", round + 1);
            write(s, oneChain);
            checkpoint(ds); // the writes' dirty pages are flushed before, not during, the measurement
            long t0 = System.nanoTime();
            int sealed = s.sealNow();
            long t1 = System.nanoTime();
            if (sealed != n) {
              throw new IllegalStateException("sealed " + sealed + " of " + n);
            }
            best[mode] = Math.max(best[mode], (long) (n / ((t1 - t0) / 1e9)));
            if (round == 0) {
              checkpoint(ds);
              t1 = System.nanoTime();
              ChainVerification v = s.verify("t:org-1");
              long t2 = System.nanoTime();
              if (!v.ok() || v.eventsChecked() != n) {
                throw new IllegalStateException("verification failed: " + v.summary());
              }
              table.add(row("verify one chain streaming from PostgreSQL", v.eventsChecked(), t2 - t1));
            }
          }
          drop(ds, one);
        }
      }
      table.add(0, new String[] {"seal one chain (sealNow), best of 2", String.format("%,d", n),
          String.format("%,d", best[0])});
      table.add(1, new String[] {"  the same, pool of 2: no second connection", String.format("%,d", n),
          String.format("%,d", best[1])});

      String lag = schema(ds);
      try (JdbcAuditStore s = store(ds, lag, signer, JdbcAuditStore.DEFAULT_SEAL_INTERVAL)) {
        System.err.println("ingest with the background sealer...");
        checkpoint(ds);
        long t0 = System.nanoTime();
        write(s, mixed);
        long t1 = System.nanoTime();
        s.sealNow();
        table.add(row("ingest over 50 tenants, sealer running", n, t1 - t0));
        try (Connection c = ds.getConnection(); Statement st = c.createStatement();
            ResultSet rs = st.executeQuery("select"
                + " percentile_cont(0.5) within group (order by extract(epoch from s.sealed_at - e.recorded_at)),"
                + " percentile_cont(0.99) within group (order by extract(epoch from s.sealed_at - e.recorded_at)),"
                + " max(extract(epoch from s.sealed_at - e.recorded_at)), count(*)"
                + " from " + lag + ".audit_seal s join " + lag + ".audit_event e on e.id = s.event_id")) {
          rs.next();
          System.out.printf("%nsealing lag while ingesting (seal time - row write time, %,d events):"
              + " p50 %.0f ms, p99 %.0f ms, max %.0f ms (default interval %d ms)%n",
              rs.getLong(4), rs.getDouble(1) * 1000, rs.getDouble(2) * 1000, rs.getDouble(3) * 1000,
              JdbcAuditStore.DEFAULT_SEAL_INTERVAL.toMillis());
        }
      }
      drop(ds, lag);
    }
    System.out.printf("%n| %-48s | %10s | %12s |%n", "measurement", "events", "events/s");
    System.out.printf("|%s|%s|%s|%n", "-".repeat(50), "-".repeat(12), "-".repeat(14));
    for (String[] r : table) {
      System.out.printf("| %-48s | %10s | %12s |%n", r[0], r[1], r[2]);
    }
  }

  private static JdbcAuditStore store(HikariDataSource ds, String schema, CheckpointSigner signer, Duration interval) {
    return JdbcAuditStore.builder(ds).schema(schema).checkpointSigner(signer).sealInterval(interval).build();
  }

  private static void write(JdbcAuditStore s, List<AuditEvent> events) {
    for (int i = 0; i < events.size(); i += 1000) {
      s.write(events.subList(i, Math.min(events.size(), i + 1000)));
    }
  }

  private static String[] row(String what, long events, long nanos) {
    return new String[] {what, String.format("%,d", events), String.format("%,.0f", events / (nanos / 1e9))};
  }

  private static String schema(HikariDataSource ds) throws Exception {
    String schema = "bench_" + UUID.randomUUID().toString().substring(0, 8);
    try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
      s.execute("create schema " + schema);
    }
    return schema;
  }

  private static void checkpoint(HikariDataSource ds) {
    try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
      s.execute("checkpoint");
    } catch (java.sql.SQLException e) {
      // not a superuser: the measurements share whatever the checkpointer does
    }
  }

  private static void drop(HikariDataSource ds, String schema) throws Exception {
    try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
      s.execute("drop schema " + schema + " cascade");
    }
  }
}

package dev.auditkit.benchmarks;

import dev.auditkit.core.Actor;
import dev.auditkit.core.AuditEvent;
import dev.auditkit.core.EventKind;
import dev.auditkit.core.FieldChange;
import dev.auditkit.core.RequestInfo;
import dev.auditkit.core.SourceInfo;
import dev.auditkit.core.internal.Json;
import dev.auditkit.jdbc.JdbcAuditStore;
import dev.auditkit.jdbc.internal.EventRow;
import dev.auditkit.jdbc.internal.PgWriter;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.ByteArrayInputStream;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.stream.Collectors;
import org.javers.core.Javers;
import org.javers.core.JaversBuilder;
import org.javers.core.metamodel.annotation.Id;
import org.javers.repository.sql.DialectName;
import org.javers.repository.sql.JaversSqlRepository;
import org.javers.repository.sql.SqlRepositoryBuilder;
import org.postgresql.PGConnection;

/**
 * End-to-end ingest into PostgreSQL, printing one table: {@link JdbcAuditStore#write} against, in
 * the same run and on the same database, (a) raw COPY of the same, pre-serialised rows into an
 * identical table with identical indexes, (b) one autocommit INSERT per event, (c) JaVers
 * {@code commit()} with its SQL repository; plus the store's multi-row INSERT mode and the ingest
 * cost of each index.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar dev.auditkit.benchmarks.IngestBenchmark
 *     [--events 200000] [--batch 1000] [--insert-sample 10000] [--javers 3000] [--index-events 50000]</pre>
 *
 * PostgreSQL comes from {@code AUDITKIT_PG_URL} (default: the test database). Everything happens in
 * a fresh schema that is dropped at the end.
 */
public final class IngestBenchmark {
  private static final String DEFAULT_URL = "jdbc:postgresql://127.0.0.1:5432/auditkit_test?user=postgres";
  private static final String[] STATES = {"DRAFT", "SCHEDULED", "DISPATCHED", "IN_PROGRESS",
      "COMPLETED_PENDING_APPROVAL", "APPROVED", "INVOICED"};
  private static final String[] INDEXES = {"tenant_time", "resource_time", "actor_time", "state_time", "action_time"};

  private final Map<String, String> args;
  private final List<String[]> table = new ArrayList<>();
  private HikariDataSource ds;
  private String schema;

  private IngestBenchmark(Map<String, String> args) {
    this.args = args;
  }

  public static void main(String[] argv) throws Exception {
    // only the table on stdout: JaVers and HikariCP log their set-up at INFO
    ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
        .setLevel(ch.qos.logback.classic.Level.WARN);
    Map<String, String> args = new LinkedHashMap<>();
    for (int i = 0; i + 1 < argv.length; i += 2) {
      args.put(argv[i].replaceFirst("^--", ""), argv[i + 1]);
    }
    new IngestBenchmark(args).run();
  }

  private int arg(String name, int def) {
    return Integer.parseInt(args.getOrDefault(name, String.valueOf(def)));
  }

  private void run() throws Exception {
    int n = arg("events", 200_000);
    int batch = arg("batch", 1000);
    int insertSample = arg("insert-sample", 10_000);
    int javersCommits = arg("javers", 3000);
    int indexEvents = Math.min(n, arg("index-events", 50_000));
    String url = System.getenv().getOrDefault("AUDITKIT_PG_URL", DEFAULT_URL);
    schema = "bench_" + UUID.randomUUID().toString().substring(0, 8);

    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(url);
    config.setMaximumPoolSize(4);
    ds = new HikariDataSource(config);
    try {
      exec("create schema " + schema);
      System.err.printf("generating %,d events...%n", n);
      long g0 = System.nanoTime();
      List<AuditEvent> events = generate(n, new Random(42));
      long g1 = System.nanoTime();
      List<EventRow> rows = events.stream().map(EventRow::of).collect(Collectors.toList());
      System.err.printf("generated in %.1f s, rows in %.1f s%n", (g1 - g0) / 1e9, (System.nanoTime() - g1) / 1e9);
      List<byte[]> copyBatches = new ArrayList<>();
      long bytes = 0;
      for (int i = 0; i < n; i += batch) {
        byte[] b = PgWriter.copyText(rows.subList(i, Math.min(n, i + batch)));
        copyBatches.add(b);
        bytes += b.length;
      }
      String pgVersion = query("show server_version");

      // warm-up: JIT, connections, catalog caches
      System.err.println("warming up...");
      JdbcAuditStore warm = store("warm_");
      for (int i = 0; i < Math.min(n, 20_000); i += batch) {
        warm.write(events.subList(i, Math.min(n, i + batch)));
      }
      copyInto(baseline("warmc_", events), copyBatches.subList(0, Math.min(copyBatches.size(), 20_000 / batch)));

      // the main comparison, two alternating rounds, best of each
      double storeRate = 0;
      double sealedRate = 0;
      double copyRate = 0;
      for (int round = 1; round <= 2; round++) {
        System.err.printf("round %d: store...%n", round);
        JdbcAuditStore store = store("s" + round + "_");
        checkpoint();
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i += batch) {
          store.write(events.subList(i, Math.min(n, i + batch)));
        }
        storeRate = Math.max(storeRate, rate(n, System.nanoTime() - t0));
        requireCount(store.eventTable(), n);

        System.err.printf("round %d: store with its sealer running...%n", round);
        JdbcAuditStore sealing = sealingStore("z" + round + "_");
        checkpoint();
        t0 = System.nanoTime();
        for (int i = 0; i < n; i += batch) {
          sealing.write(events.subList(i, Math.min(n, i + batch)));
        }
        sealedRate = Math.max(sealedRate, rate(n, System.nanoTime() - t0));
        requireCount(sealing.eventTable(), n);
        sealing.sealNow(java.time.Duration.ofMinutes(10)); // sealing catches up before the next measurement
        sealing.close(); // stops its sealer

        System.err.printf("round %d: COPY...%n", round);
        String copyTable = baseline("c" + round + "_", events);
        checkpoint();
        t0 = System.nanoTime();
        copyInto(copyTable, copyBatches);
        copyRate = Math.max(copyRate, rate(n, System.nanoTime() - t0));
        requireCount(copyTable, n);
      }
      add("JdbcAuditStore.write, batches of " + batch + " (COPY)", n, storeRate, storeRate);
      add("JdbcAuditStore.write while its background sealer runs", n, sealedRate, storeRate);
      add("(a) COPY of pre-serialised rows, same table + indexes", n, copyRate, storeRate);

      System.err.println("store in multi-row INSERT mode...");
      String mriTable = baseline("m_", events);
      PgWriter insertWriter = new PgWriter(mriTable, false);
      int mriN = Math.min(n, 50_000);
      checkpoint();
      long t0 = System.nanoTime();
      for (int i = 0; i < mriN; i += batch) {
        List<EventRow> chunk = events.subList(i, Math.min(mriN, i + batch)).stream().map(EventRow::of).collect(Collectors.toList());
        try (Connection c = ds.getConnection()) {
          c.setAutoCommit(false);
          insertWriter.write(c, chunk);
          c.commit();
          c.setAutoCommit(true);
        }
      }
      add("store in multi-row INSERT mode (" + PgWriter.INSERT_ROWS + " rows/statement)", mriN,
          rate(mriN, System.nanoTime() - t0), storeRate);

      System.err.println("one autocommit INSERT per event...");
      String insTable = baseline("i_", events);
      int done = 0;
      checkpoint();
      t0 = System.nanoTime();
      long limit = t0 + 60_000_000_000L;
      try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(singleInsert(insTable))) {
        c.setAutoCommit(true);
        for (; done < Math.min(n, insertSample) && System.nanoTime() < limit; done++) {
          bind(ps, rows.get(done));
          ps.executeUpdate();
        }
      }
      add("(b) one autocommit INSERT per event (" + done + " sampled, rate extrapolated)", done,
          rate(done, System.nanoTime() - t0), storeRate);

      System.err.println("JaVers...");
      javers(events, javersCommits, storeRate);

      System.err.println("index costs...");
      indexCosts(events, copyBatches, indexEvents, batch, storeRate);

      print(n, batch, bytes / n, pgVersion);
    } finally {
      try {
        exec("drop schema if exists " + schema + " cascade");
      } finally {
        ds.close();
      }
    }
  }

  private void javers(List<AuditEvent> events, int commits, double storeRate) throws SQLException {
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      JaversSqlRepository repo = SqlRepositoryBuilder.sqlRepository()
          .withConnectionProvider(() -> c)
          .withDialect(DialectName.POSTGRES)
          .withSchema(schema)
          .withSchemaManagementEnabled(true)
          .build();
      Javers javers = JaversBuilder.javers().registerJaversRepository(repo).build();
      c.commit();
      List<Job> jobs = new ArrayList<>();
      for (int i = 0; i < commits; i++) {
        AuditEvent e = events.get(i);
        jobs.add(new Job("job-" + i, e.fromState(), e.oldValue().path("assignee").asText(),
            e.oldValue().path("price").decimalValue(), e.oldValue().path("address").path("city").asText()));
      }
      // new objects: each commit records a job JaVers has not seen
      long t0 = System.nanoTime();
      for (int i = 0; i < commits; i++) {
        javers.commit("u-" + (i % 500), jobs.get(i));
        c.commit();
      }
      double newRate = rate(commits, System.nanoTime() - t0);
      // transitions: each commit records a status change of a job committed before (the audit case)
      t0 = System.nanoTime();
      for (int i = 0; i < commits; i++) {
        Job j = jobs.get(i);
        j.status = events.get(i).toState();
        javers.commit("u-" + (i % 500), j);
        c.commit();
      }
      double transitionRate = rate(commits, System.nanoTime() - t0);
      add("(c) JaVers commit(), new objects (" + commits + " commits)", commits, newRate, storeRate);
      add("(c) JaVers commit(), status transitions (" + commits + " commits)", commits, transitionRate, storeRate);
    }
  }

  /** COPY of the same rows into tables with the primary key only, then with each index alone. */
  private void indexCosts(List<AuditEvent> all, List<byte[]> copyBatches, int events, int batch, double storeRate) throws SQLException {
    List<byte[]> part = copyBatches.subList(0, Math.max(1, events / batch));
    int rowsIn = part.size() * batch;
    double pkOnly = 0;
    for (int round = 0; round < 2; round++) {
      String t = baseline("x" + round + "_", all);
      dropIndexes(t, null);
      checkpoint();
      long t0 = System.nanoTime();
      copyInto(t, part);
      pkOnly = Math.max(pkOnly, rate(rowsIn, System.nanoTime() - t0));
    }
    add("index cost: COPY, primary key only", rowsIn, pkOnly, storeRate);
    for (int i = 0; i < INDEXES.length; i++) {
      String idx = INDEXES[i];
      String t = baseline("xi" + i + "_", all);
      dropIndexes(t, idx);
      checkpoint();
      long t0 = System.nanoTime();
      copyInto(t, part);
      double r = rate(rowsIn, System.nanoTime() - t0);
      add(String.format(Locale.ROOT, "index cost: + %s only (%+.0f%% time vs PK only)", idx, (pkOnly / r - 1) * 100),
          rowsIn, r, storeRate);
    }
    String allTable = baseline("xall_", all);
    checkpoint();
    long t0 = System.nanoTime();
    copyInto(allTable, part);
    double r = rate(rowsIn, System.nanoTime() - t0);
    add(String.format(Locale.ROOT, "index cost: all five (%+.0f%% time vs PK only)", (pkOnly / r - 1) * 100), rowsIn, r, storeRate);
  }

  private void dropIndexes(String table, String keep) throws SQLException {
    String prefix = table.substring(table.indexOf('.') + 1).replace("event", "");
    for (String idx : INDEXES) {
      if (!idx.equals(keep)) {
        exec("drop index " + schema + "." + prefix + "event_" + idx + "_idx");
      }
    }
  }

  /** A store whose table serves as a baseline or warm-up: nobody seals it, so it adds no load. */
  private JdbcAuditStore store(String prefix) {
    return JdbcAuditStore.builder(ds).schema(schema).tablePrefix(prefix).sealInterval(null).build();
  }

  /** The measured store, as a host runs it: its background sealer on (default interval). */
  private JdbcAuditStore sealingStore(String prefix) {
    return JdbcAuditStore.builder(ds).schema(schema).tablePrefix(prefix).build();
  }

  /** An identical table for a baseline, with the partitions for every month of the data made up front. */
  private String baseline(String prefix, List<AuditEvent> events) throws SQLException {
    JdbcAuditStore s = store(prefix);
    java.util.Set<java.time.YearMonth> months = new java.util.TreeSet<>();
    events.forEach(e -> months.add(java.time.YearMonth.from(e.occurredAt().atOffset(ZoneOffset.UTC))));
    for (java.time.YearMonth m : months) {
      query("select " + schema + "." + prefix + "ensure_partition('" + m.atDay(1) + "T00:00:00Z')");
    }
    return s.eventTable();
  }

  private static String table(JdbcAuditStore store) {
    return store.eventTable();
  }

  private void copyInto(String table, List<byte[]> batches) throws SQLException {
    String sql = "copy " + table + " (" + String.join(", ", EventRow.WRITE_COLUMNS) + ") from stdin";
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(true);
      var copy = c.unwrap(PGConnection.class).getCopyAPI();
      for (byte[] b : batches) {
        copy.copyIn(sql, new ByteArrayInputStream(b));
      }
    } catch (java.io.IOException e) {
      throw new SQLException(e);
    }
  }

  private static String singleInsert(String table) {
    StringBuilder sb = new StringBuilder("insert into ").append(table).append(" (")
        .append(String.join(", ", EventRow.WRITE_COLUMNS)).append(") values (");
    for (int i = 0; i < EventRow.WRITE_COLUMNS.size(); i++) {
      sb.append(i == 0 ? "?::uuid" : i == EventRow.IP ? ", ?::inet" : i == EventRow.EVENT_HASH ? ", ?::bytea"
          : EventRow.isJson(i) ? ", ?::jsonb" : ", ?");
    }
    return sb.append(")").toString();
  }

  private static void bind(PreparedStatement ps, EventRow r) throws SQLException {
    for (int i = 0; i < EventRow.WRITE_COLUMNS.size(); i++) {
      if (i == 1) {
        ps.setObject(2, r.occurredAt().atOffset(ZoneOffset.UTC));
      } else {
        ps.setString(i + 1, r.text(i));
      }
    }
  }

  private void checkpoint() {
    try {
      exec("checkpoint");
    } catch (SQLException e) {
      // not a superuser: the runs simply share whatever the checkpointer does
    }
  }

  private void requireCount(String table, long expected) throws SQLException {
    long got = Long.parseLong(query("select count(*) from " + table));
    if (got != expected) {
      throw new IllegalStateException(table + " holds " + got + " rows, expected " + expected);
    }
  }

  private void exec(String sql) throws SQLException {
    try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  private String query(String sql) throws SQLException {
    try (Connection c = ds.getConnection(); Statement s = c.createStatement(); var rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static double rate(long events, long nanos) {
    return events / (nanos / 1e9);
  }

  private void add(String what, long events, double rate, double storeRate) {
    table.add(new String[] {what, String.format(Locale.ROOT, "%,d", events),
        String.format(Locale.ROOT, "%,.0f", rate), String.format(Locale.ROOT, "%.2f", storeRate / rate)});
  }

  private void print(int n, int batch, long bytesPerEvent, String pgVersion) {
    System.out.printf(Locale.ROOT, "%nIngestBenchmark: %,d job-transition events, %d bytes/event as COPY text, batches of %d, "
        + "PostgreSQL %s, %d cores%n%n", n, bytesPerEvent, batch, pgVersion, Runtime.getRuntime().availableProcessors());
    int w = table.stream().mapToInt(r -> r[0].length()).max().orElse(10);
    String fmt = "| %-" + w + "s | %9s | %9s | %9s |%n";
    System.out.printf(fmt, "path", "events", "events/s", "store ×");
    System.out.printf("|%s|%s|%s|%s|%n", "-".repeat(w + 2), "-".repeat(11), "-".repeat(11), "-".repeat(11));
    for (String[] r : table) {
      System.out.printf(fmt, (Object[]) r);
    }
    System.out.println();
    System.out.println("store × = the store's events/s divided by that row's (goals: >= 0.8 vs COPY, >= 10 vs per-event INSERT, "
        + ">= 50 vs JaVers).");
  }

  /** Realistic job transitions: before/after snapshots, one or two changed fields, request and source. */
  static List<AuditEvent> generate(int n, Random rnd) {
    List<AuditEvent> out = new ArrayList<>(n);
    Instant start = LocalDate.now(ZoneOffset.UTC).minusDays(30).atStartOfDay().toInstant(ZoneOffset.UTC);
    long spanMicros = ChronoUnit.MICROS.between(start, Instant.now());
    String[] cities = {"Lisbon", "Austin", "Zürich", "Osaka", "Nairobi", "Toronto"};
    for (int i = 0; i < n; i++) {
      int s = rnd.nextInt(STATES.length - 1);
      int job = rnd.nextInt(20_000);
      String tenant = "org-" + (job % 50);
      String assignee = "w-" + rnd.nextInt(2000);
      BigDecimal price = BigDecimal.valueOf(5_000 + rnd.nextInt(500_000), 2);
      Map<String, Object> address = new LinkedHashMap<>();
      address.put("street", (1 + rnd.nextInt(999)) + " Main Street");
      address.put("city", cities[job % cities.length]);
      address.put("zip", String.format("%05d", job));
      Map<String, Object> before = new LinkedHashMap<>();
      before.put("id", "job-" + job);
      before.put("status", STATES[s]);
      before.put("assignee", assignee);
      before.put("price", price);
      before.put("address", address);
      Map<String, Object> after = new LinkedHashMap<>(before);
      after.put("status", STATES[s + 1]);
      AuditEvent.Builder b = AuditEvent.builder()
          .occurredAt(start.plus(spanMicros * i / n, ChronoUnit.MICROS))
          .tenantId(tenant)
          .actor(Actor.user("u-" + rnd.nextInt(500)).role(rnd.nextInt(10) == 0 ? "admin" : "dispatcher"))
          .action("JOB_STATUS_CHANGED")
          .kind(EventKind.TRANSITION)
          .resource("Job", "job-" + job)
          .fromState(STATES[s]).toState(STATES[s + 1])
          .addChange(FieldChange.of("status", Json.nodes().textNode(STATES[s]), Json.nodes().textNode(STATES[s + 1])))
          .oldValue(before).newValue(after)
          .metadata(Map.of("apiRoute", "api/jobs/{id}/status"))
          .request(RequestInfo.builder().ip("203.0." + rnd.nextInt(256) + "." + rnd.nextInt(256))
              .userAgent("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5) Mobile/15E148")
              .method("POST").path("/api/jobs/job-" + job + "/status").requestId(UUID.randomUUID().toString()).build())
          .source(SourceInfo.of("jobs-app", "4.2.0", "web-" + (i % 3)));
      if (rnd.nextInt(4) == 0) {
        String other = "w-" + rnd.nextInt(2000);
        after.put("assignee", other);
        b.newValue(after).addChange(FieldChange.of("assignee", Json.nodes().textNode(assignee), Json.nodes().textNode(other)));
      }
      out.add(b.build());
    }
    return out;
  }

  /** The business object JaVers audits. */
  static final class Job {
    @Id
    String id;
    String status;
    String assignee;
    BigDecimal price;
    String city;

    Job(String id, String status, String assignee, BigDecimal price, String city) {
      this.id = id;
      this.status = status;
      this.assignee = assignee;
      this.price = price;
      this.city = city;
    }
  }
}

package dev.auditkit.jdbc;

import dev.auditkit.core.AuditEvent;
import dev.auditkit.core.AuditSink;
import dev.auditkit.core.AuditWriteException;
import dev.auditkit.core.chain.ChainExportWriter;
import dev.auditkit.core.chain.ChainIds;
import dev.auditkit.core.chain.ChainSource;
import dev.auditkit.core.chain.ChainVerification;
import dev.auditkit.core.chain.ChainVerifier;
import dev.auditkit.core.chain.CheckpointKeys;
import dev.auditkit.core.chain.CheckpointPolicy;
import dev.auditkit.core.chain.CheckpointSigner;
import dev.auditkit.core.chain.CheckpointWitness;
import dev.auditkit.jdbc.internal.Checkpointing;
import dev.auditkit.jdbc.internal.Dialect;
import dev.auditkit.jdbc.internal.EventReader;
import dev.auditkit.jdbc.internal.EventRow;
import dev.auditkit.jdbc.internal.EventWriter;
import dev.auditkit.jdbc.internal.H2Writer;
import dev.auditkit.jdbc.internal.Migrator;
import dev.auditkit.jdbc.internal.Names;
import dev.auditkit.jdbc.internal.OwnedPool;
import dev.auditkit.jdbc.internal.PgPartitions;
import dev.auditkit.jdbc.internal.PgWriter;
import dev.auditkit.jdbc.internal.Sealer;
import dev.auditkit.jdbc.internal.SealingService;
import dev.auditkit.jdbc.internal.SqlStates;
import dev.auditkit.jdbc.internal.StoredChain;
import java.io.OutputStream;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Stores audit events in PostgreSQL or H2 (told apart from the connection). Writes are batched
 * ({@code COPY} on PostgreSQL), idempotent by event id, and append-only in the database: triggers
 * refuse UPDATE, DELETE and TRUNCATE. Thread-safe.
 *
 * <pre>{@code
 * JdbcAuditStore store = JdbcAuditStore.create(dataSource);          // migrates the schema
 * AuditLog audit = AuditLog.builder().store(store).build();
 *
 * try (Connection c = dataSource.getConnection()) {                  // inside the host's transaction
 *   c.setAutoCommit(false);
 *   jobs.complete(c, jobId);
 *   store.append(c, List.of(event));                                  // commits or rolls back with it
 *   c.commit();
 * }
 * }</pre>
 *
 * <p>PostgreSQL keeps events in monthly partitions that the store creates ahead of time and on
 * demand; an insert never fails for a missing month. The schema comes from versioned SQL files
 * ({@code db/postgresql/V1__audit_event.sql}, {@code db/h2/...}) that {@link #migrate()} applies, or
 * that a host may hand to Flyway or Liquibase (then build with {@code migrate(false)}).
 */
public final class JdbcAuditStore implements AuditSink {
  /** How often the background sealer looks for work unless configured otherwise. */
  public static final Duration DEFAULT_SEAL_INTERVAL = Duration.ofMillis(250);
  private static final Comparator<EventRow> ROW_ORDER = Comparator.comparing(EventRow::occurredAt)
      .thenComparing(EventRow::id, (a, b) -> {
        int c = Long.compareUnsigned(a.getMostSignificantBits(), b.getMostSignificantBits());
        return c != 0 ? c : Long.compareUnsigned(a.getLeastSignificantBits(), b.getLeastSignificantBits());
      });

  private final DataSource dataSource;
  private final boolean ownsDataSource;
  private final Dialect dialect;
  private final Names names;
  private final Jdbi jdbi;
  private final EventWriter writer;
  private final EventReader reader;
  private final PgPartitions partitions;
  private final SealingService sealing;
  private final Checkpointing checkpointing;
  private final Clock clock;
  private final Duration maxSealingLag;
  private final Duration closeSealTimeout;

  private JdbcAuditStore(Builder b, DataSource dataSource) {
    this.dataSource = dataSource;
    this.ownsDataSource = b.jdbcUrl != null;
    String schema;
    try (Connection c = dataSource.getConnection()) {
      this.dialect = Dialect.of(c);
      schema = b.schema != null ? b.schema : currentSchema(c);
    } catch (SQLException e) {
      throw new AuditStoreSetupException("cannot connect to the audit database: " + e.getMessage(), e);
    }
    this.names = Names.of(schema, b.tablePrefix);
    this.jdbi = Jdbi.create(dataSource);
    this.reader = new EventReader(dialect);
    this.writer = dialect == Dialect.POSTGRESQL ? new PgWriter(names) : new H2Writer(names);
    this.partitions = dialect == Dialect.POSTGRESQL ? new PgPartitions(dataSource, names, b.clock) : null;
    if (b.migrate) {
      migrate();
    } else {
      new Migrator(dataSource, dialect, names).verifyInstalled();
    }
    this.clock = b.clock;
    this.maxSealingLag = b.maxSealingLag;
    this.closeSealTimeout = b.closeSealTimeout;
    this.checkpointing = new Checkpointing(
        b.signer != null ? b.signer : CheckpointSigner.generateForDevelopment(), b.policy, b.witnesses, b.clock);
    this.sealing = new SealingService(new Sealer(dataSource, dialect, names, reader, b.sealBatch, checkpointing),
        checkpointing, b.clock, b.sealInterval);
    if (b.sealInterval != null) {
      sealing.start();
    }
  }

  /** A store on this DataSource, migrating the schema (the connection's current schema) first. */
  public static JdbcAuditStore create(DataSource dataSource) {
    return builder(dataSource).build();
  }

  /**
   * A store with its own HikariCP pool (HikariCP must be on the classpath), closed by
   * {@link #close()}. Migrates the schema first.
   */
  public static JdbcAuditStore create(String jdbcUrl) {
    return builder(jdbcUrl).build();
  }

  public static Builder builder(DataSource dataSource) {
    return new Builder(Objects.requireNonNull(dataSource, "dataSource"), null);
  }

  /** A builder for a store with its own HikariCP pool on this URL. */
  public static Builder builder(String jdbcUrl) {
    Objects.requireNonNull(jdbcUrl, "jdbcUrl");
    return new Builder(null, jdbcUrl);
  }

  /**
   * Applies the missing schema versions, under a lock so that instances starting together apply
   * each once. Returns the schema version now in place.
   *
   * @throws AuditStoreSetupException when the schema is newer than this auditkit knows, or a migration fails
   */
  public int migrate() {
    int version = new Migrator(dataSource, dialect, names).migrate();
    if (partitions != null) {
      partitions.forget();
    }
    return version;
  }

  /**
   * Writes a batch in its own transaction: all of it or nothing. Events already stored (same id and
   * time) are skipped, so a replayed batch never duplicates.
   *
   * @throws AuditWriteException when the database refuses the batch
   */
  @Override
  public void write(List<AuditEvent> events) {
    List<EventRow> rows = rows(events);
    if (rows.isEmpty()) {
      return;
    }
    for (int attempt = 1; ; attempt++) {
      // partitions first, on their own connection, before this write holds one from the pool
      try {
        ensurePartitions(rows);
      } catch (SQLException e) {
        throw new AuditWriteException("creating the monthly partitions for " + rows.size() + " audit event(s) failed: "
            + e.getMessage(), e);
      }
      try (Connection c = dataSource.getConnection()) {
        boolean auto = c.getAutoCommit();
        if (!auto) {
          c.setAutoCommit(true); // a pool may hand out connections in manual-commit mode
        }
        try {
          writer.writeCommitted(c, rows);
        } finally {
          if (!auto) {
            c.setAutoCommit(false);
          }
        }
        return;
      } catch (RuntimeException e) {
        throw e instanceof AuditWriteException w ? w : new AuditWriteException("writing " + rows.size()
            + " audit event(s) to " + names.eventTable() + " failed: " + e, e);
      } catch (SQLException e) {
        if (partitions != null && attempt == 1 && SqlStates.isMissingPartition(e)) {
          partitions.forget(); // a partition was dropped behind the store's back: create it again
          continue;
        }
        throw new AuditWriteException("writing " + rows.size() + " audit event(s) to " + names.eventTable()
            + " failed: " + e.getMessage(), e, SqlStates.isRefusal(e));
      }
    }
  }

  /**
   * Writes a batch on the caller's connection, inside the caller's transaction, without committing:
   * the events are stored if and only if the caller commits. Events already stored are skipped.
   * If this call throws, roll the transaction back (on PostgreSQL it is aborted anyway).
   *
   * @throws AuditWriteException when the database refuses the batch
   */
  public void append(Connection connection, List<AuditEvent> events) {
    Objects.requireNonNull(connection, "connection");
    List<EventRow> rows = rows(events);
    if (rows.isEmpty()) {
      return;
    }
    try {
      ensurePartitions(rows);
      writer.write(connection, rows);
    } catch (AuditWriteException e) {
      throw e;
    } catch (SQLException | RuntimeException e) {
      throw new AuditWriteException("appending " + rows.size() + " audit event(s) to " + names.eventTable()
          + " failed: " + e.getMessage(), e);
    }
  }

  /** {@link #append(Connection, List)} on a Jdbi handle's connection and transaction. */
  public void append(Handle handle, List<AuditEvent> events) {
    Objects.requireNonNull(handle, "handle");
    append(handle.getConnection(), events);
  }

  /** The stored event with this id. */
  public Optional<AuditEvent> findById(UUID id) {
    Objects.requireNonNull(id, "id");
    return jdbi.withHandle(h -> h.createQuery("select " + reader.selectList() + " from " + names.eventTable()
            + " where id = :id order by occurred_at limit 1")
        .bind("id", id)
        .map(reader)
        .findOne());
  }

  /**
   * Stored events with {@code from <= occurredAt < to}, ordered by time then id, at most
   * {@code limit}, without their seals (read a chain for those). For tests, tools and simple pages.
   */
  public List<AuditEvent> events(Instant from, Instant to, int limit) {
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    if (limit < 0) {
      throw new IllegalArgumentException("limit must not be negative: " + limit);
    }
    return jdbi.withHandle(h -> h.createQuery("select " + reader.selectList() + " from " + names.eventTable()
            + " where occurred_at >= :from and occurred_at < :to order by occurred_at, id limit :limit")
        .bind("from", from.atOffset(ZoneOffset.UTC))
        .bind("to", to.atOffset(ZoneOffset.UTC))
        .bind("limit", limit)
        .map(reader)
        .list());
  }

  /**
   * Seals every event committed so far into its tenant's hash chain and returns how many this call
   * sealed. Chains that another store instance is sealing at this moment are waited for. For tests,
   * shutdown and tools; the store seals in the background anyway (see {@link Builder#sealInterval}).
   *
   * @throws AuditWriteException when sealing fails or does not finish within a minute
   */
  public int sealNow() {
    return sealNow(Duration.ofMinutes(1));
  }

  /**
   * {@link #sealNow()} with a time limit of the caller's choosing.
   *
   * @throws AuditWriteException when sealing fails or does not finish within {@code timeout}
   */
  public int sealNow(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive: " + timeout);
    }
    return sealing.sealNow(timeout);
  }

  /**
   * How long the oldest committed event without a seal has been waiting (zero when every committed
   * event is sealed), measured from when its row was written.
   */
  public Duration sealingLag() {
    return sealing.lag();
  }

  /** The ids of every chain the store has sealed into ({@code t:<tenant>}, {@code global}), sorted. */
  public List<String> chainIds() {
    return jdbi.withHandle(h -> h.createQuery("select chain_id from " + names.chainTable()
            + " union select chain_id from " + names.checkpointTable() + " order by 1")
        .mapTo(String.class)
        .list());
  }

  /**
   * One chain as stored, for {@link ChainVerifier} or {@link ChainExportWriter}: its sealed events in
   * sequence order (streamed, constant memory), its checkpoints and its oldest unsealed event.
   */
  public ChainSource chain(String chainId) {
    return new StoredChain(dataSource, names, reader, ChainIds.require(Objects.requireNonNull(chainId, "chainId")));
  }

  /**
   * Verifies one chain against the keys of this store's checkpoint signer, allowing events to wait
   * {@link Builder#maxSealingLag} for their seal. See {@link ChainVerifier} for what is detected.
   *
   * @throws IllegalArgumentException for a chain id nothing was ever written for (a typo is not an intact empty chain)
   */
  public ChainVerification verify(String chainId) {
    ChainSource chain = chain(chainId);
    requireKnown(chain.chainId());
    return verifier().verify(chain);
  }

  /**
   * Refuses a chain id nothing was ever written for, so that a mistyped one is not reported as an
   * intact empty chain: known are chains with a chain row or checkpoint, and tenants with events.
   */
  private void requireKnown(String chainId) {
    String tenant = ChainIds.tenantOf(chainId);
    boolean known = jdbi.withHandle(h -> {
      var q = h.createQuery("select 1 from " + names.chainTable() + " where chain_id = :c"
              + " union all select 1 from " + names.checkpointTable() + " where chain_id = :c"
              + " union all select 1 from " + names.eventTable() + " e where "
              + (tenant == null ? "(e.tenant_id is null or e.tenant_id = '')" : "e.tenant_id = :t"))
          .bind("c", chainId);
      if (tenant != null) {
        q.bind("t", tenant);
      }
      return q.setMaxRows(1).mapTo(Integer.class).findFirst().isPresent();
    });
    if (!known) {
      throw new IllegalArgumentException("no chain \"" + chainId + "\" in schema " + names.schema()
          + ": nothing was ever written for it (chain ids are t:<tenantId>, or global for events without a tenant; "
          + "chainIds() lists them)");
    }
  }

  /** Verifies every chain ({@link #verify(String)}); the results in chain id order. */
  public List<ChainVerification> verifyAll() {
    ChainVerifier v = verifier();
    List<ChainVerification> out = new ArrayList<>();
    for (String id : chainIds()) {
      out.add(v.verify(chain(id)));
    }
    return out;
  }

  /** The keys whose checkpoints this store trusts: its signer's public key. */
  public CheckpointKeys checkpointKeys() {
    return checkpointing.signer().keys();
  }

  /**
   * Writes a verifiable JSONL export of one chain (events with seals, checkpoints, the signer's
   * public key) that {@code java -jar audit-core-<version>-cli.jar verify} checks without a database.
   * When the last exported event has no stored checkpoint, the store signs one for it at export time
   * (not stored): with {@code --require-signed-head}, events cut from the end of the file are found.
   *
   * @throws IllegalArgumentException for a chain id nothing was ever written for
   */
  public void exportChain(String chainId, OutputStream out) {
    Objects.requireNonNull(out, "out");
    ChainSource chain = chain(chainId);
    requireKnown(chain.chainId());
    // the store signs the head it exports: a verifier that requires it finds events cut from the end of the file
    ChainExportWriter.export(chain, List.of(checkpointing.signer().publicKey()), clock.instant(), out,
        checkpointing.signer());
  }

  private ChainVerifier verifier() {
    return ChainVerifier.builder(checkpointKeys()).maxSealingLag(maxSealingLag).clock(clock).build();
  }

  /** The qualified name of the event table, such as {@code public.audit_event}. */
  public String eventTable() {
    return names.eventTable();
  }

  /**
   * Stops the background sealer, then seals once more what is committed by now (for up to
   * {@link Builder#closeSealTimeout}, 10 s by default, on a thread of its own, so a database that
   * hangs cannot hold close longer; not with {@code sealInterval(null)}, where sealing is the
   * host's), so that the events written just before a shutdown do not wait for the next start to
   * be sealed. Closes the pool if the
   * store made it ({@link #create(String)}); a given DataSource stays open.
   */
  @Override
  public void close() {
    sealing.closeSealing(closeSealTimeout);
    if (ownsDataSource) {
      OwnedPool.close(dataSource);
    }
  }

  private void ensurePartitions(List<EventRow> rows) throws SQLException {
    if (partitions != null) {
      List<Instant> times = new ArrayList<>(rows.size());
      rows.forEach(r -> times.add(r.occurredAt()));
      partitions.ensure(times);
    }
  }

  private static List<EventRow> rows(List<AuditEvent> events) {
    Objects.requireNonNull(events, "events");
    Map<UUID, EventRow> distinct = new LinkedHashMap<>();
    for (AuditEvent e : events) {
      Objects.requireNonNull(e, "events must not contain null");
      distinct.putIfAbsent(e.id(), EventRow.of(e));
    }
    List<EventRow> rows = new ArrayList<>(distinct.values());
    // one order for every writer: concurrent overlapping batches then wait for each other, never deadlock
    rows.sort(ROW_ORDER);
    return rows;
  }

  private static String currentSchema(Connection c) throws SQLException {
    try (Statement s = c.createStatement(); var rs = s.executeQuery("select current_schema()")) {
      String schema = rs.next() ? rs.getString(1) : null;
      if (schema == null) {
        throw new AuditStoreSetupException("the connection has no current schema; set one with builder(...).schema(name)");
      }
      return schema;
    }
  }

  /**
   * Configures a {@link JdbcAuditStore}. Defaults: the connection's current schema, table prefix
   * {@code audit_} (table {@code audit_event}), migrate on build, the system UTC clock.
   */
  public static final class Builder {
    private final DataSource dataSource;
    private final String jdbcUrl;
    private String schema;
    private String tablePrefix = "audit_";
    private boolean migrate = true;
    private Clock clock = Clock.systemUTC();
    private Duration sealInterval = DEFAULT_SEAL_INTERVAL;
    private Duration closeSealTimeout = Duration.ofSeconds(10);
    private int sealBatch = 20_000;
    private Duration maxSealingLag = Duration.ofMinutes(1);
    private CheckpointSigner signer;
    private CheckpointPolicy policy = CheckpointPolicy.defaults();
    private final List<CheckpointWitness> witnesses = new ArrayList<>();

    private Builder(DataSource dataSource, String jdbcUrl) {
      this.dataSource = dataSource;
      this.jdbcUrl = jdbcUrl;
    }

    /**
     * The schema holding the audit tables (created by {@link #migrate()} when missing).
     *
     * @throws AuditStoreSetupException unless it is a plain identifier ({@code [a-z_][a-z0-9_]*}, case-insensitive)
     */
    public Builder schema(String schema) {
      this.schema = Names.checkSchema(Objects.requireNonNull(schema, "schema"));
      return this;
    }

    /**
     * Prefix of every table, index and function name; {@code audit_} by default.
     *
     * @throws AuditStoreSetupException unless it is a plain identifier of at most 30 characters
     */
    public Builder tablePrefix(String prefix) {
      this.tablePrefix = Names.checkPrefix(prefix);
      return this;
    }

    /**
     * Whether {@link #build()} applies missing migrations (default true). With false — when the host
     * runs the SQL files with Flyway or Liquibase — build only checks that the table exists and that
     * the schema is not newer than this auditkit knows.
     */
    public Builder migrate(boolean migrate) {
      this.migrate = migrate;
      return this;
    }

    /** The clock deciding which monthly partitions are created ahead (PostgreSQL). */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * How long {@link JdbcAuditStore#close()} may spend sealing what is committed but not sealed
     * yet (default 10 s; {@link Duration#ZERO}: no sealing on close). A pass still running then is
     * left behind and close returns; the next sealer to run seals the rest.
     *
     * @throws IllegalArgumentException when negative or over ten minutes
     */
    public Builder closeSealTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.isNegative() || timeout.compareTo(Duration.ofMinutes(10)) > 0) {
        throw new IllegalArgumentException("closeSealTimeout must be between 0 and 10 minutes: " + timeout);
      }
      this.closeSealTimeout = timeout;
      return this;
    }

    /**
     * How often the background sealer looks for committed, unsealed events (default 250 ms);
     * {@code null} turns background sealing off, for hosts that call {@link JdbcAuditStore#sealNow()}
     * themselves or leave sealing to other instances.
     *
     * @throws IllegalArgumentException unless positive and at most one minute
     */
    public Builder sealInterval(Duration interval) {
      if (interval != null && (interval.isNegative() || interval.isZero() || interval.compareTo(Duration.ofMinutes(1)) > 0)) {
        throw new IllegalArgumentException("sealInterval must be > 0 and <= 1 minute: " + interval);
      }
      this.sealInterval = interval;
      return this;
    }

    /**
     * The most events one sealing transaction takes (default 20 000).
     *
     * @throws IllegalArgumentException unless between 1 and 1 000 000
     */
    public Builder sealBatch(int events) {
      if (events < 1 || events > 1_000_000) {
        throw new IllegalArgumentException("sealBatch must be between 1 and 1000000: " + events);
      }
      this.sealBatch = events;
      return this;
    }

    /**
     * The Ed25519 key that signs checkpoints ({@link CheckpointSigner#fromPemFiles}). Without one,
     * each store instance generates a development key and logs a loud warning: checkpoints signed
     * with it prove nothing to anyone outside the process.
     */
    public Builder checkpointSigner(CheckpointSigner signer) {
      this.signer = Objects.requireNonNull(signer, "signer");
      return this;
    }

    /** How often each chain gets a signed checkpoint; {@link CheckpointPolicy#defaults()} by default. */
    public Builder checkpointPolicy(CheckpointPolicy policy) {
      this.policy = Objects.requireNonNull(policy, "policy");
      return this;
    }

    /** Adds a place outside the database where every checkpoint is published after it is stored. */
    public Builder witness(CheckpointWitness witness) {
      this.witnesses.add(Objects.requireNonNull(witness, "witness"));
      return this;
    }

    /**
     * How long a committed event may stay unsealed before {@link JdbcAuditStore#verify} reports it
     * (default one minute).
     */
    public Builder maxSealingLag(Duration lag) {
      Objects.requireNonNull(lag, "lag");
      if (lag.isNegative()) {
        throw new IllegalArgumentException("maxSealingLag must not be negative: " + lag);
      }
      this.maxSealingLag = lag;
      return this;
    }

    /**
     * Connects, detects the database and (by default) migrates.
     *
     * @throws AuditStoreSetupException for an unsupported database, a schema newer than known, or a failed migration
     */
    public JdbcAuditStore build() {
      DataSource ds = dataSource != null ? dataSource : OwnedPool.open(jdbcUrl);
      try {
        return new JdbcAuditStore(this, ds);
      } catch (RuntimeException e) {
        if (dataSource == null) {
          OwnedPool.close(ds);
        }
        throw e;
      }
    }
  }
}

package dev.auditkit.jdbc.internal;

import dev.auditkit.core.Seal;
import dev.auditkit.core.chain.CanonicalEncoding;
import dev.auditkit.core.chain.ChainHead;
import dev.auditkit.core.chain.ChainIds;
import dev.auditkit.core.chain.ChainSealer;
import dev.auditkit.core.chain.Checkpoint;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.PGStatement;
import org.postgresql.copy.CopyIn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One sealing pass over the store: finds committed events that have no seal yet, appends them to
 * their tenant's chain and writes the seals, all in one transaction. Sealers in any number of
 * processes may run at once: each locks the chain rows it seals with {@code FOR UPDATE SKIP
 * LOCKED} and skips chains another sealer holds; the seal table's keys refuse a double seal.
 *
 * <p>PostgreSQL: each event row carries the id of its writing transaction. A pass reads the
 * snapshot's {@code xmin} first; all transactions below it had finished, so after the pass every
 * committed event below it is sealed, and it becomes the chain's low-water mark for the next pass.
 * Events of transactions that commit later are simply sealed by a later pass, after everything
 * already sealed: no later commit can land behind a sealed position. A long-running host
 * transaction holds the low-water mark back but not the sealing of anybody else's rows.
 *
 * <p>H2 has no transaction ids: unsealed events are found by anti-join and sealed in ingest order.
 */
public final class Sealer {
  private static final Logger LOG = LoggerFactory.getLogger(Sealer.class);
  private static final int MAX_QUARANTINED = 1000;
  /** Rows a pass seals at a time while it reads; also the second connection's fetch size. */
  private static final int CHUNK = 2_000;
  /** Passes expected to seal at least this many rows read on a second connection. */
  private static final int OVERLAP_MIN = 2 * CHUNK;
  /** Within a pass: by writing transaction, then by time and id, so that a pass's order is reproducible. */
  private static final Comparator<Unsealed> WRITING_ORDER = Comparator
      .comparingLong((Unsealed u) -> u.tx)
      .thenComparing(u -> u.occurredAt)
      .thenComparing(u -> u.id, (a, b) -> {
        int c = Long.compareUnsigned(a.getMostSignificantBits(), b.getMostSignificantBits());
        return c != 0 ? c : Long.compareUnsigned(a.getLeastSignificantBits(), b.getLeastSignificantBits());
      });
  private final DataSource dataSource;
  private final Dialect dialect;
  private final Names names;
  private final EventReader reader;
  private final int maxPerPass;
  private final Checkpointing checkpointing;
  private final String events;
  private final String seals;
  private final String chains;
  private final String chainExpr;
  /**
   * The chains of a full pass, for the next pass to continue without looking for work again; passes
   * run one at a time (SealingService), and a pass that fails clears it.
   */
  private volatile Set<String> carryOver;
  /** How many rows the last PostgreSQL pass read: the guess for a pass that does not look for work. */
  private volatile int lastRead;
  /** Set when a pass failed on the seal keys: the next passes look for ids that are sealed already. */
  private volatile boolean checkIdsSealed;
  /** Ids of rows just read whose id another, sealed row has (filled by readUnsealed). */
  private final Set<UUID> duplicates = new java.util.HashSet<>();
  /** Whether a large pass may read on a second connection (off for good once one could not be had). */
  private volatile boolean overlap;
  /** Events this instance could not read or encode: left unsealed (verify reports them), skipped. */
  private final Set<UUID> quarantined = ConcurrentHashMap.newKeySet();

  public Sealer(DataSource dataSource, Dialect dialect, Names names, EventReader reader, int maxPerPass,
      Checkpointing checkpointing) {
    this.checkpointing = checkpointing;
    this.dataSource = dataSource;
    this.dialect = dialect;
    this.names = names;
    this.reader = reader;
    this.maxPerPass = maxPerPass;
    this.lastRead = maxPerPass;
    this.events = names.eventTable();
    this.seals = names.sealTable();
    this.chains = names.chainTable();
    this.chainExpr = chainIdSql("e");
    this.overlap = dialect == Dialect.POSTGRESQL && OwnedPool.lendsTwo(dataSource);
  }

  /** SQL computing the chain id of an event row, as {@code ChainIds.of} does. */
  private static String chainIdSql(String alias) {
    return "(case when " + alias + ".tenant_id is null or " + alias + ".tenant_id = '' then 'global' else 't:' || "
        + alias + ".tenant_id end)";
  }

  /**
   * Result of one pass; {@code checkpoints} are committed and still to be published to witnesses;
   * {@code registered} when it added chains met while reading, which the next pass seals.
   */
  public record Pass(int sealed, List<Sealed> chains, boolean more, List<Checkpoint> checkpoints, boolean registered) {}

  /** A chain's head and its latest checkpoint's place, as the chain row has them. */
  private record State(ChainHead head, long checkpointSeq, Instant checkpointAt) {}

  /** What a pass appended to one chain. */
  public record Sealed(String chainId, ChainHead head, int count) {}

  /**
   * Runs one pass and commits it. {@code more} is true when the pass stopped at its size limit or
   * skipped chains that another sealer held.
   */
  public Pass sealOnce() throws SQLException {
    boolean checking = checkIdsSealed;
    duplicates.clear(); // filled by this pass's reads only
    try (Connection c = dataSource.getConnection()) {
      boolean auto = c.getAutoCommit();
      c.setAutoCommit(false);
      try {
        Pass p = dialect == Dialect.POSTGRESQL ? passPostgres(c) : passH2(c);
        c.commit();
        if (checking) {
          checkIdsSealed = false; // the duplicates this pass found are quarantined now
        }
        return p;
      } catch (Throwable e) {
        // any failure, an Error too: roll back here, or the switch back to auto-commit would commit
        carryOver = null;
        if (e instanceof SQLException sql && SqlStates.isUniqueViolation(sql)) {
          checkIdsSealed = true; // most likely a stored event whose id another sealed event has
        }
        try {
          c.rollback();
        } catch (SQLException rollback) {
          e.addSuppressed(rollback);
        }
        throw e;
      } finally {
        c.setAutoCommit(auto);
      }
    }
  }

  private Pass passPostgres(Connection c) throws SQLException {
    // the reads below must walk the tx_id index and stop early; on a freshly filled table without
    // statistics the planner would rather sort the whole backlog, so sorting is off for this pass
    try (Statement s = c.createStatement()) {
      s.execute("set local enable_sort = off");
    }
    // 1. the low-water mark this pass may reach: taken before anything else is read
    String xmin = single(c, "select pg_snapshot_xmin(pg_current_snapshot())::text");
    String low;
    boolean everyMarkBelowXmin;
    try (PreparedStatement ps = c.prepareStatement("select coalesce(min(low_xid), '0'::xid8)::text,"
        + " coalesce(bool_and(low_xid < ?::xid8), false) from " + chains)) {
      ps.setString(1, xmin);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        low = rs.getString(1);
        everyMarkBelowXmin = rs.getBoolean(2);
      }
    }
    // 2. chains with committed, unsealed events, among the next events in writing order. Both reads
    //    walk the tx_id index from the lowest mark and stop after maxPerPass unsealed rows, so a
    //    backlog is not rescanned by every pass (sealed rows above the lowest mark are still walked:
    //    while a long host transaction holds xmin back, or another instance holds a chain). Rows
    //    above every chain's high mark cannot be sealed and are not looked up (see readInOrder).
    //    A pass that continues a full one takes over its chains instead: nothing else was in the way.
    //    Neither needs to look when every chain's mark is below xmin: step 3 then locks every chain
    //    (that no other sealer holds) anyway, and a chain with no row yet is met in step 4's read,
    //    registered, and sealed by the next pass, which follows at once. This is the steady state
    //    while events keep coming; looking cost a second walk over every row sealed.
    Set<String> work = carryOver;
    carryOver = null;
    int expected = maxPerPass; // how many rows this pass will likely seal
    if (work == null && everyMarkBelowXmin) {
      work = Set.of();
      expected = lastRead; // no better guess without looking
    } else if (work == null) {
      Set<String> found = new LinkedHashSet<>();
      String high = highestMark(c);
      expected = readInOrder(c, "select e.tenant_id", low, high, 10_000,
          rs -> found.add(ChainIds.forTenant(rs.getString(1))));
      work = found;
    }
    // a large pass reads on a second connection (see step 4); it is taken now, before this pass
    // holds any lock, so that waiting for a busy pool never holds up other sealers
    Connection second = expected >= OVERLAP_MIN && c.isWrapperFor(PGConnection.class) ? readConnection() : null;
    try {
      return lockAndSeal(c, second, xmin, low, work);
    } finally {
      if (second != null) {
        second.close();
      }
    }
  }

  /** Steps 3 to 5 of a PostgreSQL pass; {@code second} is a connection to read on, or null. */
  private Pass lockAndSeal(Connection c, Connection second, String xmin, String low, Set<String> work)
      throws SQLException {
    register(c, work, low);
    // 3. lock what this pass can seal (chains with work, and idle chains whose mark can move)
    Map<String, ChainHead> heads = new LinkedHashMap<>();
    Map<String, State> states = new LinkedHashMap<>();
    try (PreparedStatement ps = c.prepareStatement("select chain_id, head_seq, head_hash, checkpoint_seq, checkpoint_at"
        + " from " + chains + " where chain_id = any(?) or low_xid < ?::xid8"
        + " or (head_seq > checkpoint_seq and checkpoint_at < ?) order by chain_id for update skip locked")) {
      ps.setArray(1, c.createArrayOf("text", work.toArray()));
      ps.setString(2, xmin);
      ps.setObject(3, checkpointing.dueBefore().atOffset(ZoneOffset.UTC));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          State st = state(rs);
          heads.put(st.head().chainId(), st.head());
          states.put(st.head().chainId(), st);
        }
      }
    }
    // no seal of a locked chain can name an event of a transaction at or above this (its event
    // committed before the seal, and the seal before now): the high mark of a chain that had none
    String xmax = single(c, "select pg_snapshot_xmax(pg_current_snapshot())::text");
    // the low-water mark a pass that reads everything reaches: every transaction below it has
    // finished now, so step 4, which starts after this, sees all of their committed rows. Taken
    // here rather than xmin (step 1), it leaves the next pass fewer sealed rows to look up: those
    // committed while this pass looked for work and took its locks.
    String readFrom = single(c, "select pg_snapshot_xmin(pg_current_snapshot())::text");
    // rows above every chain's high mark are unsealed, whoever holds their chain: the read below
    // looks up only the rows under it (the locked chains' marks cannot move now; another chain's
    // may have moved since, which at worst returns a few of its just-sealed rows, then skipped)
    String high = highestMark(c);
    // 4. the events' hashes, in writing order, read again now that the locks are held (so no other
    //    sealer can seal them meanwhile); rows of chains another sealer holds are left to it. A large
    //    pass reads on a second connection while this one stores the seals already made (both
    //    backends work at once); the reader's statement starts after the locks are taken, so it sees
    //    every seal committed before them.
    PassRows pass = new PassRows(heads, work, new SealRows(c, seals));
    boolean registered = false;
    if (!heads.isEmpty()) {
      // plain columns, read in binary (see read): the chain id is made here, not by the database,
      // which spent more on such expressions and on text output than on finding the rows
      String select = "select e.id, e.occurred_at, e.event_hash, e.tenant_id, e.tx_id::text, " + idSealedSql();
      try {
        if (second != null) { // only taken on a pgjdbc connection, whose seals stream by COPY
          readOverlapped(second, select, low, high, pass);
        } else {
          List<Unsealed> rows = new ArrayList<>();
          readInOrder(c, select, low, high, 10_000, rs -> rows.add(unsealed(rs)));
          for (Unsealed u : rows) {
            pass.accept(u, null);
          }
          pass.flush(c);
        }
        pass.out.finish();
      } catch (SQLException | RuntimeException | Error e) {
        pass.out.abort(e);
        throw e;
      }
      // a chain first seen here (a continued pass does not look for work) is registered at the
      // pass's mark, so that the marks moving below can never pass over its rows
      registered = register(c, pass.unknown, low) > 0;
    }
    int read = pass.read;
    String lastTx = pass.lastTx;
    boolean full = read >= maxPerPass;
    boolean skipped = !heads.keySet().containsAll(work) || pass.kept < read;
    // every committed, unsealed event of a locked chain below this transaction id was read and is
    // sealed now, so the chain's low-water mark moves there: to xmin, or as far as a full read got
    String reached = full ? lastTx : readFrom;
    lastRead = read;
    List<Sealed> done = new ArrayList<>();
    for (Map.Entry<String, ChainSealer> en : pass.sealers.entrySet()) {
      ChainHead h = en.getValue().head();
      done.add(new Sealed(en.getKey(), h, (int) (h.sequence() - heads.get(en.getKey()).sequence())));
    }
    for (Sealed d : done) {
      heads.put(d.chainId(), d.head());
    }
    // 5. new heads; the low-water mark moves to xmin, or as far as a pass that stopped early got
    //    and the high mark to the highest transaction sealed (a void one first to xmax)
    try (PreparedStatement ps = c.prepareStatement("update " + chains + " set head_seq = ?, head_hash = ?,"
        + " low_xid = greatest(low_xid, least(?::xid8, ?::xid8)),"
        + " high_xid = greatest(case when high_seq = head_seq then high_xid else ?::xid8 end, ?::xid8), high_seq = ?,"
        + " updated_at = clock_timestamp() where chain_id = ?")) {
      for (ChainHead h : heads.values()) {
        ps.setLong(1, h.sequence());
        ps.setString(2, h.sequence() == 0 ? null : h.hash());
        ps.setString(3, readFrom);
        ps.setString(4, reached);
        ps.setString(5, xmax);
        ps.setString(6, Long.toUnsignedString(pass.highestTx.getOrDefault(h.chainId(), 0L)));
        ps.setLong(7, h.sequence());
        ps.setString(8, h.chainId());
        ps.addBatch();
      }
      ps.executeBatch();
    }
    List<Checkpoint> signed = checkpoint(c, states, heads);
    if (full && !skipped) {
      carryOver = pass.readChains; // taken by the next pass if this one commits (see sealOnce)
    }
    return new Pass(pass.out.count(), done, full || skipped, signed, registered);
  }

  /**
   * Keeps the first row of each event id whose id is not sealed yet. Two stored rows with one id (a
   * caller reused an id with another time; the event table's key is id and time) cannot both be
   * sealed, since a seal names its event by id. A row whose id another row's seal has is
   * quarantined (by id, which is safe: the other row is sealed); a second row of an id in the same
   * pass is left for a later pass, where its id is sealed. Either way it stays unsealed and verify
   * reports it, instead of every pass failing on the seal table's unique key.
   */
  private void dropDuplicateIds(List<Unsealed> rows, Set<UUID> seen) {
    rows.removeIf(u -> {
      if (duplicates.contains(u.id)) {
        quarantine(u.id, new IllegalStateException("another event with the same id " + u.id
            + " is sealed already (this one is at " + u.occurredAt + "): only one of them can be sealed"));
        return true;
      }
      if (seen.add(u.id)) {
        return false;
      }
      LOG.warn("auditkit: two stored audit events have the id {} (one at {}); only the first can be sealed",
          u.id, u.occurredAt);
      return true;
    });
  }

  /**
   * Whether another row with the event's id is sealed already. Asked only after a pass failed on the
   * seal table's keys (it costs an index probe per row); otherwise {@code false}.
   */
  private String idSealedSql() {
    return checkIdsSealed ? "exists (select 1 from " + seals + " s2 where s2.event_id = e.id)" : "false";
  }

  /** Adds chain rows, at low-water mark {@code low}, for chains that have none yet. */
  private int register(Connection c, Set<String> chainIds, String low) throws SQLException {
    if (chainIds.isEmpty()) {
      return 0;
    }
    // chains that exist are left out before inserting: a conflict with a chain row that another
    // sealer has updated and not committed yet would wait for that sealer (a chain it holds is met
    // in a pass that did not look for work), while this pass holds its own chains
    try (PreparedStatement ps = c.prepareStatement("insert into " + chains
        + " (chain_id, low_xid, high_xid, high_seq) select n.id, ?::xid8, '0'::xid8, 0 from unnest(?::text[]) as n(id)"
        + " where not exists (select 1 from " + chains + " c where c.chain_id = n.id) on conflict do nothing")) {
      ps.setString(1, low);
      // in one order for every sealer: two registering the same new chains wait, never deadlock
      ps.setArray(2, c.createArrayOf("text", new java.util.TreeSet<>(chainIds).toArray()));
      return ps.executeUpdate();
    }
  }

  private static State state(ResultSet rs) throws SQLException {
    String chain = rs.getString("chain_id");
    Timestamp at = rs.getTimestamp("checkpoint_at");
    return new State(head(chain, rs.getLong("head_seq"), rs.getString("head_hash")), rs.getLong("checkpoint_seq"),
        at == null ? null : at.toInstant());
  }

  /** Signs and stores the checkpoints that are due for the locked chains, in this transaction. */
  private List<Checkpoint> checkpoint(Connection c, Map<String, State> states, Map<String, ChainHead> heads)
      throws SQLException {
    List<Checkpoint> due = new ArrayList<>();
    for (State st : states.values()) {
      ChainHead head = heads.getOrDefault(st.head().chainId(), st.head());
      Checkpoint cp = checkpointing.signIfDue(head, st.checkpointSeq(), st.checkpointAt());
      if (cp != null) {
        due.add(cp);
      }
    }
    if (due.isEmpty()) {
      return due;
    }
    try (PreparedStatement insert = c.prepareStatement("insert into " + names.checkpointTable()
            + " (chain_id, seq, head_hash, created_at, key_fingerprint, signature) values (?, ?, ?, ?, ?, ?)");
        PreparedStatement update = c.prepareStatement("update " + chains
            + " set checkpoint_seq = ?, checkpoint_at = ? where chain_id = ?")) {
      for (Checkpoint cp : due) {
        insert.setString(1, cp.chainId());
        insert.setLong(2, cp.sequence());
        insert.setString(3, cp.headHash());
        insert.setObject(4, cp.time().atOffset(ZoneOffset.UTC));
        insert.setString(5, cp.keyFingerprint());
        insert.setString(6, cp.signature());
        insert.addBatch();
        update.setLong(1, cp.sequence());
        update.setObject(2, cp.time().atOffset(ZoneOffset.UTC));
        update.setString(3, cp.chainId());
        update.addBatch();
      }
      insert.executeBatch();
      update.executeBatch();
    }
    return due;
  }

  private Pass passH2(Connection c) throws SQLException {
    // one sealer at a time per database: H2 has no SKIP LOCKED worth the name, and sealers that read
    // the same unsealed rows would only collide on the seal keys. A lock row serialises them.
    try (Statement s = c.createStatement()) {
      s.executeQuery("select id from " + names.sealLockTable() + " where id = 1 for update").close();
    }
    List<Unsealed> rows = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement("select e.id, e.occurred_at, e.event_hash, " + chainExpr
        + " as chain_id, null, exists (select 1 from " + seals + " s2 where s2.event_id = e.id) from " + events
        + " e where not exists (select 1 from " + seals + " s where s.event_id = e.id and s.occurred_at = e.occurred_at)"
        + notQuarantined() + " order by e.ingest_seq limit ?")) {
      ps.setInt(1, maxPerPass);
      readUnsealedH2(ps, rows);
    }
    int read = rows.size();
    dropDuplicateIds(rows, new java.util.HashSet<>());
    hashStoredEvents(c, rows);
    Map<String, List<Unsealed>> byChain = byChain(rows);
    try (PreparedStatement ps = c.prepareStatement("merge into " + chains + " (chain_id) key (chain_id) values (?)")) {
      for (String chain : byChain.keySet()) {
        ps.setString(1, chain);
        ps.addBatch();
      }
      ps.executeBatch();
    }
    Map<String, State> states = new LinkedHashMap<>();
    Map<String, ChainHead> heads = new LinkedHashMap<>();
    try (PreparedStatement ps = c.prepareStatement("select chain_id, head_seq, head_hash, checkpoint_seq, checkpoint_at"
        + " from " + chains + " where head_seq > checkpoint_seq and (checkpoint_at is null or checkpoint_at < ?)")) {
      ps.setObject(1, checkpointing.dueBefore().atOffset(ZoneOffset.UTC));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          State st = state(rs);
          states.put(st.head().chainId(), st);
        }
      }
    }
    List<Sealed> done = new ArrayList<>();
    int sealed = 0;
    try (PreparedStatement lock = c.prepareStatement("select chain_id, head_seq, head_hash, checkpoint_seq, checkpoint_at"
            + " from " + chains + " where chain_id = ? for update");
        PreparedStatement insert = c.prepareStatement("insert into " + seals
            + " (chain_id, seq, event_id, occurred_at, prev_hash, hash) values (?, ?, ?, ?, ?, ?)");
        PreparedStatement update = c.prepareStatement("update " + chains
            + " set head_seq = ?, head_hash = ?, updated_at = current_timestamp(6) where chain_id = ?")) {
      for (Map.Entry<String, List<Unsealed>> en : byChain.entrySet()) {
        ChainHead head;
        lock.setString(1, en.getKey());
        try (ResultSet rs = lock.executeQuery()) {
          rs.next();
          State st = state(rs);
          states.put(en.getKey(), st);
          head = st.head();
        }
        ChainSealer sealer = ChainSealer.startingAt(head);
        int n = 0;
        for (Unsealed e : en.getValue()) {
          Seal s = sealer.seal(e.chainId, e.hash);
          n++;
          insert.setString(1, s.chainId());
          insert.setLong(2, s.sequence());
          insert.setObject(3, e.id);
          insert.setObject(4, e.occurredAt.atOffset(ZoneOffset.UTC));
          insert.setString(5, s.previousHash());
          insert.setString(6, s.hash());
          insert.addBatch();
        }
        insert.executeBatch();
        update.setLong(1, sealer.head().sequence());
        update.setString(2, sealer.head().hash());
        update.setString(3, en.getKey());
        update.executeUpdate();
        heads.put(en.getKey(), sealer.head());
        done.add(new Sealed(en.getKey(), sealer.head(), n));
        sealed += n;
      }
    }
    List<Checkpoint> signed = checkpoint(c, states, heads);
    return new Pass(sealed, done, read >= maxPerPass, signed, false);
  }

  /**
   * When the oldest committed event that has no seal yet was written, or null when every committed
   * event is sealed.
   */
  public Instant oldestUnsealed() throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      String sql = dialect == Dialect.POSTGRESQL
          ? "select min(e.recorded_at) from " + events + " e where e.tx_id >= (select coalesce(min(low_xid), '0'::xid8)"
              + " from " + chains + ") and not exists (select 1 from " + seals
              + " s where s.event_id = e.id and s.occurred_at = e.occurred_at)"
              + notQuarantined()
          : "select min(e.recorded_at) from " + events + " e where not exists (select 1 from " + seals
              + " s where s.event_id = e.id and s.occurred_at = e.occurred_at)" + notQuarantined();
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
        rs.next();
        Timestamp t = rs.getTimestamp(1);
        return t == null ? null : t.toInstant();
      }
    }
  }

  /** The ids this instance gave up on: stored events it cannot read back or encode. */
  public Set<UUID> quarantined() {
    return Set.copyOf(quarantined);
  }

  private String notQuarantined() {
    if (quarantined.isEmpty()) {
      return "";
    }
    StringBuilder sb = new StringBuilder(" and e.id not in (");
    int i = 0;
    for (UUID id : quarantined) {
      sb.append(i++ == 0 ? "'" : ", '").append(id).append('\'');
    }
    return sb.append(')').toString();
  }

  /**
   * Reads the pass's rows on {@code second}, in its own read-only transaction, and seals them as
   * they come; the seals stream to the pass's connection meanwhile.
   */
  private void readOverlapped(Connection second, String select, String low, String high, PassRows pass)
      throws SQLException {
    second.setAutoCommit(false); // a cursor needs a transaction
    Throwable failure = null;
    try {
      try (Statement s = second.createStatement()) {
        s.execute("set local enable_sort = off");
      }
      readInOrder(second, select, low, high, CHUNK, rs -> pass.accept(unsealed(rs), second));
      pass.flush(second);
    } catch (Throwable e) {
      failure = e;
      throw e;
    } finally {
      try {
        second.rollback(); // it only read
        second.setAutoCommit(true);
      } catch (SQLException e) {
        if (failure == null) {
          throw e;
        }
        failure.addSuppressed(e);
      }
    }
  }

  /**
   * A second connection for a large pass, or null (the pass then reads on its own connection): when
   * the DataSource is not known to lend one without starving others (see {@link OwnedPool#lendsTwo}),
   * or lending one failed before (the pass does not wait on a pool again).
   */
  private Connection readConnection() {
    if (!overlap) {
      return null;
    }
    try {
      return dataSource.getConnection();
    } catch (SQLException | RuntimeException e) {
      overlap = false;
      LOG.warn("auditkit: sealing reads on its own connection from now on: a second connection could not be"
          + " had ({}); large sealing passes are slower that way", e.toString());
      return null;
    }
  }

  /**
   * One PostgreSQL pass's rows, taken in the order read (by writing transaction) and sealed a chunk
   * at a time. A chunk holds whole writing transactions, so sorting it sorts the pass: the seals
   * come out exactly as if the whole pass had been read first.
   */
  private final class PassRows {
    final Map<String, ChainHead> heads;
    final Set<String> work;
    final SealRows out;
    final Map<String, ChainSealer> sealers = new LinkedHashMap<>();
    /** Chains met in the rows that this pass neither locked nor looked for: registered after it. */
    final Set<String> unknown = new LinkedHashSet<>();
    final Set<String> readChains = new LinkedHashSet<>();
    final Set<UUID> seen = new java.util.HashSet<>();
    /** Per chain, the highest writing transaction of a row sealed (for its high mark). */
    final Map<String, Long> highestTx = new java.util.HashMap<>();
    final List<Unsealed> chunk = new ArrayList<>();
    int read;
    int kept;
    String lastTx;

    PassRows(Map<String, ChainHead> heads, Set<String> work, SealRows out) {
      this.heads = heads;
      this.work = work;
      this.out = out;
    }

    /**
     * Takes the next row. With a {@code readBack} connection (which reads back events that have no
     * stored hash) full chunks are sealed at once; without one, everything waits for {@link #flush}.
     */
    void accept(Unsealed u, Connection readBack) throws SQLException {
      read++;
      lastTx = u.txId;
      if (readBack != null && chunk.size() >= CHUNK && u.tx != chunk.get(chunk.size() - 1).tx) {
        flush(readBack);
      }
      if (heads.containsKey(u.chainId)) {
        chunk.add(u);
        kept++;
        readChains.add(u.chainId);
      } else if (!work.contains(u.chainId)) {
        unknown.add(u.chainId);
      }
    }

    /** Seals the rows taken so far. */
    void flush(Connection readBack) throws SQLException {
      chunk.sort(WRITING_ORDER);
      int before = chunk.size();
      dropDuplicateIds(chunk, seen);
      kept -= before - chunk.size(); // a dropped duplicate counts as skipped: the next pass looks again
      hashStoredEvents(readBack, chunk);
      for (Unsealed u : chunk) {
        ChainSealer sealer = sealers.computeIfAbsent(u.chainId, k -> ChainSealer.startingAt(heads.get(k)));
        out.add(sealer.seal(u.chainId, u.hash), u.id, u.occurredAt);
        highestTx.merge(u.chainId, u.tx, (a, b) -> Long.compareUnsigned(a, b) >= 0 ? a : b);
      }
      chunk.clear();
    }
  }

  /** An event to seal: its place in the writing order, and its event hash once known. */
  private static final class Unsealed {
    final UUID id;
    final Instant occurredAt;
    final String chainId;
    /** The writing transaction's id (PostgreSQL), null on H2. */
    final String txId;
    /** {@link #txId} as a number, for sorting (0 on H2). */
    final long tx;
    /** The event hash: stored by the writer, or computed here from the stored row. */
    byte[] hash;

    Unsealed(UUID id, Instant occurredAt, String chainId, String txId, byte[] hash) {
      this.id = id;
      this.occurredAt = occurredAt;
      this.chainId = chainId;
      this.txId = txId;
      this.tx = txId == null ? 0 : Long.parseUnsignedLong(txId);
      this.hash = hash;
    }
  }

  /** The H2 pass's rows, in the order read, into {@code out}. */
  private void readUnsealedH2(PreparedStatement ps, List<Unsealed> out) throws SQLException {
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.add(unsealed(rs, rs.getObject(2, OffsetDateTime.class).toInstant(), rs.getString(4), null));
      }
    }
  }

  /** A PostgreSQL row: its tenant (the chain id is made here), and the writing transaction's id. */
  private Unsealed unsealed(ResultSet rs) throws SQLException {
    return unsealed(rs, rs.getObject(2, OffsetDateTime.class).toInstant(), ChainIds.forTenant(rs.getString(4)),
        rs.getString(5));
  }

  private Unsealed unsealed(ResultSet rs, Instant at, String chainId, String txId) throws SQLException {
    byte[] hash = rs.getBytes(3);
    UUID id = rs.getObject(1, UUID.class);
    if (rs.getBoolean(6)) {
      duplicates.add(id);
    }
    return new Unsealed(id, at, chainId, txId, hash == null || hash.length != 32 ? null : hash);
  }

  /** The highest high mark over all chains, or null when a chain's mark is void. */
  private String highestMark(Connection c) throws SQLException {
    return single(c, "select case when bool_and(high_seq is not distinct from head_seq) then max(high_xid)::text end"
        + " from " + chains);
  }

  /** Takes rows as they are read. */
  private interface RowReader {
    void accept(ResultSet rs) throws SQLException;
  }

  /**
   * Reads up to {@code maxPerPass} committed, unsealed event rows in writing order (by transaction
   * id), from the mark {@code low}: {@code select} and this method's FROM and WHERE. Rows up to the
   * high mark {@code high} (the highest over all chains) are each looked up in the seal table; rows
   * above it cannot be sealed (no seal names such a row), so a second query reads them without the
   * lookup, which is most of the cost of the read. A null {@code high} looks every row up.
   *
   * @return how many rows were read
   */
  private int readInOrder(Connection c, String select, String low, String high, int fetchSize, RowReader out)
      throws SQLException {
    String lookedUp = select + " from " + events + " e where e.tx_id >= ?::xid8"
        + (high != null ? " and e.tx_id <= ?::xid8" : "") + " and not exists (select 1 from " + seals
        + " s where s.event_id = e.id and s.occurred_at = e.occurred_at)" + notQuarantined()
        + " order by e.tx_id limit ?";
    int n;
    try (PreparedStatement ps = c.prepareStatement(lookedUp)) {
      int i = 1;
      ps.setString(i++, low);
      if (high != null) {
        ps.setString(i++, high);
      }
      ps.setInt(i, maxPerPass);
      n = read(ps, fetchSize, out);
    }
    if (high != null && n < maxPerPass) {
      try (PreparedStatement ps = c.prepareStatement(select + " from " + events
          + " e where e.tx_id >= ?::xid8 and e.tx_id > ?::xid8" + notQuarantined() + " order by e.tx_id limit ?")) {
        ps.setString(1, low);
        ps.setString(2, high);
        ps.setInt(3, maxPerPass - n);
        n += read(ps, fetchSize, out);
      }
    }
    return n;
  }

  private static int read(PreparedStatement ps, int fetchSize, RowReader out) throws SQLException {
    ps.setFetchSize(fetchSize);
    if (ps.isWrapperFor(PGStatement.class)) {
      // binary from the first execution (pgjdbc otherwise sends text until a statement was run five
      // times on one connection): no text to format for times, ids and hashes, none to parse here.
      // Not where server-side statements are off (prepareThreshold=0, e.g. behind a pooler that
      // cannot keep them): binary needs one
      PGStatement pg = ps.unwrap(PGStatement.class);
      if (pg.getPrepareThreshold() > 0) {
        pg.setPrepareThreshold(-1);
      }
    }
    int n = 0;
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        n++;
        out.accept(rs);
      }
    }
    return n;
  }

  /** The rows in their order, grouped by chain. */
  private static Map<String, List<Unsealed>> byChain(List<Unsealed> rows) {
    Map<String, List<Unsealed>> byChain = new LinkedHashMap<>();
    for (Unsealed u : rows) {
      byChain.computeIfAbsent(u.chainId, k -> new ArrayList<>()).add(u);
    }
    return byChain;
  }

  /**
   * Events stored without an event hash (written before schema version 3, by other means, or with
   * a value the writer had to make safe), or with one that is not 32 bytes, are read back and hashed
   * here. One that cannot be read
   * back or encoded is quarantined instead of failing the whole pass, so every other tenant's
   * sealing goes on; it stays unsealed, which {@code verify} reports. The others are kept.
   */
  private void hashStoredEvents(Connection c, List<Unsealed> rows) throws SQLException {
    Map<UUID, List<Unsealed>> missing = new LinkedHashMap<>();
    for (Unsealed u : rows) {
      if (u.hash == null) {
        missing.computeIfAbsent(u.id, k -> new ArrayList<>(1)).add(u);
      }
    }
    if (missing.isEmpty()) {
      return;
    }
    try (PreparedStatement ps = c.prepareStatement("select " + reader.selectList("e") + " from " + events
        + " e where e.id = any(?)")) {
      ps.setArray(1, c.createArrayOf(dialect == Dialect.POSTGRESQL ? "uuid" : "UUID", missing.keySet().toArray()));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          UUID id = rs.getObject("id", UUID.class);
          Instant at = rs.getObject("occurred_at", OffsetDateTime.class).toInstant();
          for (Unsealed u : missing.getOrDefault(id, List.of())) {
            if (u.occurredAt.equals(at)) {
              u.hash = hashOrQuarantine(id, rs);
            }
          }
        }
      }
    }
    for (List<Unsealed> us : missing.values()) {
      for (Unsealed u : us) {
        if (u.hash == null && !quarantined.contains(u.id)) {
          quarantine(u.id, new IllegalStateException("its row could not be read back at " + u.occurredAt));
        }
      }
    }
    rows.removeIf(u -> u.hash == null);
  }

  private byte[] hashOrQuarantine(UUID id, ResultSet rs) throws SQLException {
    try {
      return CanonicalEncoding.sha256(reader.readExact(rs));
    } catch (RuntimeException e) {
      if (!EventReader.isRowProblem(e)) {
        throw e; // not the row: a bug, or the driver
      }
      quarantine(id, e);
      return null;
    }
  }

  private void quarantine(UUID id, RuntimeException cause) {
    if (quarantined.size() >= MAX_QUARANTINED) {
      throw new IllegalStateException("more than " + MAX_QUARANTINED + " audit events cannot be sealed; last: " + id
          + ": " + cause, cause);
    }
    if (quarantined.add(id)) {
      LOG.error("auditkit: audit event {} cannot be sealed and stays unsealed (verify reports it as UNSEALED): {}",
          id, cause.toString());
    }
  }

  private static ChainHead head(String chainId, long seq, String hash) {
    return seq == 0 ? ChainHead.empty(chainId) : ChainHead.of(chainId, seq, hash);
  }

  private static String single(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }
}

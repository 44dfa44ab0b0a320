package dev.auditkit.jdbc.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.auditkit.core.AuditEvent;
import dev.auditkit.core.Seal;
import dev.auditkit.core.chain.ChainHead;
import dev.auditkit.core.chain.ChainSealer;
import dev.auditkit.core.chain.Checkpoint;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
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
    this.events = names.eventTable();
    this.seals = names.sealTable();
    this.chains = names.chainTable();
    this.chainExpr = chainIdSql("e");
  }

  /** SQL computing the chain id of an event row, as {@code ChainIds.of} does. */
  private static String chainIdSql(String alias) {
    return "(case when " + alias + ".tenant_id is null or " + alias + ".tenant_id = '' then 'global' else 't:' || "
        + alias + ".tenant_id end)";
  }

  /** Result of one pass; {@code checkpoints} are committed and still to be published to witnesses. */
  public record Pass(int sealed, List<Sealed> chains, boolean more, List<Checkpoint> checkpoints) {}

  /** A chain's head and its latest checkpoint's place, as the chain row has them. */
  private record State(ChainHead head, long checkpointSeq, Instant checkpointAt) {}

  /** What a pass appended to one chain. */
  public record Sealed(String chainId, ChainHead head, int count) {}

  /**
   * Runs one pass and commits it. {@code more} is true when the pass stopped at its size limit or
   * skipped chains that another sealer held.
   */
  public Pass sealOnce() throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      boolean auto = c.getAutoCommit();
      c.setAutoCommit(false);
      try {
        Pass p = dialect == Dialect.POSTGRESQL ? passPostgres(c) : passH2(c);
        c.commit();
        return p;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(auto);
      }
    }
  }

  private Pass passPostgres(Connection c) throws SQLException {
    // 1. the low-water mark this pass may reach: taken before anything else is read
    String xmin = single(c, "select pg_snapshot_xmin(pg_current_snapshot())::text");
    String low = single(c, "select coalesce(min(low_xid), '0'::xid8)::text from " + chains);
    // 2. chains with committed, unsealed events
    List<String> work = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement("select distinct " + chainExpr + " from " + events
        + " e where e.tx_id >= ?::xid8 and not exists (select 1 from " + seals + " s where s.event_id = e.id)"
        + notQuarantined())) {
      ps.setString(1, low);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          work.add(rs.getString(1));
        }
      }
    }
    if (!work.isEmpty()) {
      try (PreparedStatement ps = c.prepareStatement("insert into " + chains
          + " (chain_id, low_xid) select unnest(?::text[]), ?::xid8 on conflict do nothing")) {
        ps.setArray(1, c.createArrayOf("text", work.toArray()));
        ps.setString(2, low);
        ps.executeUpdate();
      }
    }
    // 3. lock what this pass can seal (chains with work, and idle chains whose mark can move)
    Map<String, ChainHead> heads = new LinkedHashMap<>();
    Map<String, State> states = new LinkedHashMap<>();
    Set<String> lockedWork = new LinkedHashSet<>();
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
    for (String w : work) {
      if (heads.containsKey(w)) {
        lockedWork.add(w);
      }
    }
    boolean skipped = lockedWork.size() < work.size();
    // 4. the events, in writing-transaction order
    Map<String, List<AuditEvent>> byChain = new LinkedHashMap<>();
    int read = 0;
    if (!lockedWork.isEmpty()) {
      try (PreparedStatement ps = c.prepareStatement("select " + reader.selectList("e") + ", " + chainExpr
          + " as chain_id from " + events + " e where e.tx_id >= ?::xid8 and " + chainExpr + " = any(?)"
          + " and not exists (select 1 from " + seals + " s where s.event_id = e.id)" + notQuarantined()
          + " order by e.tx_id, e.occurred_at, e.id limit ?")) {
        ps.setString(1, low);
        ps.setArray(2, c.createArrayOf("text", lockedWork.toArray()));
        ps.setInt(3, maxPerPass);
        ps.setFetchSize(2000);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            read++;
            AuditEvent e = readOrQuarantine(rs);
            if (e != null) {
              byChain.computeIfAbsent(rs.getString("chain_id"), k -> new ArrayList<>()).add(e);
            }
          }
        }
      }
    }
    boolean full = read >= maxPerPass;
    List<Sealed> done = new ArrayList<>();
    List<Seal> all = new ArrayList<>(read);
    List<AuditEvent> allEvents = new ArrayList<>(read);
    for (Map.Entry<String, List<AuditEvent>> en : byChain.entrySet()) {
      ChainSealer sealer = ChainSealer.startingAt(heads.get(en.getKey()));
      int n = 0;
      for (AuditEvent e : en.getValue()) {
        Seal seal = sealOrQuarantine(sealer, e);
        if (seal != null) {
          all.add(seal);
          allEvents.add(e);
          n++;
        }
      }
      heads.put(en.getKey(), sealer.head());
      done.add(new Sealed(en.getKey(), sealer.head(), n));
    }
    insertSealsPostgres(c, all, allEvents);
    // 5. new heads; the low-water mark moves to xmin unless the pass stopped early
    try (PreparedStatement ps = c.prepareStatement("update " + chains + " set head_seq = ?, head_hash = ?,"
        + " low_xid = greatest(low_xid, ?::xid8), updated_at = clock_timestamp() where chain_id = ?")) {
      for (ChainHead h : heads.values()) {
        boolean moveMark = !full || !lockedWork.contains(h.chainId());
        ps.setLong(1, h.sequence());
        ps.setString(2, h.sequence() == 0 ? null : h.hash());
        ps.setString(3, moveMark ? xmin : "0");
        ps.setString(4, h.chainId());
        ps.addBatch();
      }
      ps.executeBatch();
    }
    List<Checkpoint> signed = checkpoint(c, states, heads);
    return new Pass(all.size(), done, full || skipped, signed);
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

  private void insertSealsPostgres(Connection c, List<Seal> all, List<AuditEvent> allEvents) throws SQLException {
    if (all.isEmpty()) {
      return;
    }
    int n = all.size();
    Object[] chain = new Object[n];
    Object[] seq = new Object[n];
    Object[] id = new Object[n];
    Object[] at = new Object[n];
    Object[] prev = new Object[n];
    Object[] hash = new Object[n];
    for (int i = 0; i < n; i++) {
      Seal s = all.get(i);
      chain[i] = s.chainId();
      seq[i] = s.sequence();
      id[i] = allEvents.get(i).id();
      at[i] = allEvents.get(i).occurredAt().atOffset(ZoneOffset.UTC);
      prev[i] = s.previousHash();
      hash[i] = s.hash();
    }
    try (PreparedStatement ps = c.prepareStatement("insert into " + seals
        + " (chain_id, seq, event_id, occurred_at, prev_hash, hash)"
        + " select * from unnest(?::text[], ?::bigint[], ?::uuid[], ?::timestamptz[], ?::text[], ?::text[])")) {
      ps.setArray(1, c.createArrayOf("text", chain));
      ps.setArray(2, c.createArrayOf("int8", seq));
      ps.setArray(3, c.createArrayOf("uuid", id));
      ps.setArray(4, c.createArrayOf("timestamptz", toStrings(at)));
      ps.setArray(5, c.createArrayOf("text", prev));
      ps.setArray(6, c.createArrayOf("text", hash));
      ps.executeUpdate();
    }
  }

  private static Object[] toStrings(Object[] values) {
    Object[] out = new Object[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = values[i].toString();
    }
    return out;
  }

  private Pass passH2(Connection c) throws SQLException {
    // one sealer at a time per database: H2 has no SKIP LOCKED worth the name, and sealers that read
    // the same unsealed rows would only collide on the seal keys. A lock row serialises them.
    try (Statement s = c.createStatement()) {
      s.executeQuery("select id from " + names.sealLockTable() + " where id = 1 for update").close();
    }
    Map<String, List<AuditEvent>> byChain = new LinkedHashMap<>();
    int read = 0;
    try (PreparedStatement ps = c.prepareStatement("select " + reader.selectList("e") + ", " + chainExpr
        + " as chain_id from " + events + " e where not exists (select 1 from " + seals
        + " s where s.event_id = e.id)" + notQuarantined() + " order by e.ingest_seq limit ?")) {
      ps.setInt(1, maxPerPass);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          read++;
          AuditEvent e = readOrQuarantine(rs);
          if (e != null) {
            byChain.computeIfAbsent(rs.getString("chain_id"), k -> new ArrayList<>()).add(e);
          }
        }
      }
    }
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
      for (Map.Entry<String, List<AuditEvent>> en : byChain.entrySet()) {
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
        for (AuditEvent e : en.getValue()) {
          Seal s = sealOrQuarantine(sealer, e);
          if (s == null) {
            continue;
          }
          n++;
          insert.setString(1, s.chainId());
          insert.setLong(2, s.sequence());
          insert.setObject(3, e.id());
          insert.setObject(4, e.occurredAt().atOffset(ZoneOffset.UTC));
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
    return new Pass(sealed, done, read >= maxPerPass, signed);
  }

  /**
   * When the oldest committed event that has no seal yet was written, or null when every committed
   * event is sealed.
   */
  public Instant oldestUnsealed() throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      String sql = dialect == Dialect.POSTGRESQL
          ? "select min(e.recorded_at) from " + events + " e where e.tx_id >= (select coalesce(min(low_xid), '0'::xid8)"
              + " from " + chains + ") and not exists (select 1 from " + seals + " s where s.event_id = e.id)"
              + notQuarantined()
          : "select min(e.recorded_at) from " + events + " e where not exists (select 1 from " + seals
              + " s where s.event_id = e.id)" + notQuarantined();
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
   * Reads one event row; a row that cannot be read back (damaged in the database, or beyond what
   * the reader accepts) is quarantined instead of failing the whole pass, so every other tenant's
   * sealing goes on. The event stays unsealed, which {@code verify} reports.
   */
  private AuditEvent readOrQuarantine(ResultSet rs) throws SQLException {
    try {
      return reader.read(rs);
    } catch (RuntimeException e) {
      quarantine(rs.getObject("id", UUID.class), e);
      return null;
    } catch (SQLException e) {
      if (!(e.getCause() instanceof JsonProcessingException)) {
        throw e; // the database, not the row
      }
      quarantine(rs.getObject("id", UUID.class), new IllegalStateException(e.getMessage(), e));
      return null;
    }
  }

  private Seal sealOrQuarantine(ChainSealer sealer, AuditEvent e) {
    try {
      return sealer.seal(e);
    } catch (RuntimeException ex) {
      quarantine(e.id(), ex);
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

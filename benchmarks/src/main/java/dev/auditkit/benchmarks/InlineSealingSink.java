package dev.auditkit.benchmarks;

import dev.auditkit.core.AuditEvent;
import dev.auditkit.core.AuditSink;
import dev.auditkit.core.AuditWriteException;
import dev.auditkit.core.chain.ChainIds;
import dev.auditkit.jdbc.internal.EventRow;
import dev.auditkit.jdbc.internal.PgWriter;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * A prototype, for measurement only: a sink that seals each batch in the transaction that writes
 * it, instead of leaving it to the store's background sealer. It locks the batch's chain rows
 * (in chain order), gives each row its chain position in an added {@code chain_seq} column of the
 * COPY, chains the event hashes the row already carries, inserts one block row per chain (the
 * hash before and after, the event hashes as one {@code bytea}) and moves the chain heads, then
 * commits. No seal rows and no read-back: what this design saves is exactly the background
 * sealer's work. Not a store: the verifier does not read blocks, replays are not handled, and the
 * schema change is made here on the benchmark's own schema. {@link AsyncIngestBenchmark}
 * {@code --inline-prototype} compares it with the sealer-off and the sealed pipelines
 * (docs/architecture.md, hash chains: why it is not the design).
 */
final class InlineSealingSink implements AuditSink {
  private final Connection c;
  private final String schema;
  private final MessageDigest sha256;

  InlineSealingSink(String url, String schema) throws SQLException {
    this.schema = schema;
    this.c = DriverManager.getConnection(url);
    try (Statement s = c.createStatement()) {
      s.execute("alter table " + schema + ".audit_event add column chain_seq bigint");
      s.execute("create table " + schema + ".audit_seal_block (chain_id text not null, first_seq bigint not null, "
          + "last_seq bigint not null, tx_id xid8 not null default pg_current_xact_id(), prev_hash text not null, "
          + "hash text not null, event_hashes bytea not null, sealed_at timestamptz not null default "
          + "clock_timestamp(), primary key (chain_id, first_seq))");
    }
    c.setAutoCommit(false);
    try {
      sha256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void write(List<AuditEvent> events) {
    try {
      writeSealed(events);
      c.commit();
    } catch (SQLException | RuntimeException e) {
      try {
        c.rollback();
      } catch (SQLException rollback) {
        e.addSuppressed(rollback);
      }
      throw new AuditWriteException("inline-sealed write failed: " + e, e);
    }
  }

  private void writeSealed(List<AuditEvent> events) throws SQLException {
    List<EventRow> rows = new ArrayList<>(events.size());
    TreeMap<String, List<EventRow>> byChain = new TreeMap<>(); // lock order: chain id
    for (AuditEvent e : events) {
      EventRow r = EventRow.of(e);
      rows.add(r);
      byChain.computeIfAbsent(ChainIds.of(e), k -> new ArrayList<>()).add(r);
    }
    String[] chains = byChain.keySet().toArray(String[]::new);
    try (PreparedStatement ps = c.prepareStatement("insert into " + schema + ".audit_chain (chain_id, low_xid, "
        + "high_xid, high_seq) select x, '0'::xid8, '0'::xid8, 0 from unnest(?::text[]) x on conflict do nothing")) {
      ps.setArray(1, c.createArrayOf("text", chains));
      ps.executeUpdate();
    }
    Map<String, Long> heads = new HashMap<>();
    Map<String, byte[]> headHashes = new HashMap<>();
    try (PreparedStatement ps = c.prepareStatement("select chain_id, head_seq, head_hash from " + schema
        + ".audit_chain where chain_id = any(?) order by chain_id for update")) {
      ps.setArray(1, c.createArrayOf("text", chains));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          heads.put(rs.getString(1), rs.getLong(2));
          String h = rs.getString(3);
          headHashes.put(rs.getString(1), h == null ? new byte[32] : HexFormat.of().parseHex(h));
        }
      }
    }
    Map<EventRow, Long> positions = new IdentityHashMap<>();
    try (PreparedStatement block = c.prepareStatement("insert into " + schema + ".audit_seal_block (chain_id, "
        + "first_seq, last_seq, prev_hash, hash, event_hashes) values (?, ?, ?, ?, ?, ?)");
        PreparedStatement head = c.prepareStatement("update " + schema + ".audit_chain set head_seq = ?, "
            + "head_hash = ?, high_seq = ?, high_xid = pg_current_xact_id() where chain_id = ?")) {
      for (Map.Entry<String, List<EventRow>> chain : byChain.entrySet()) {
        long seq = heads.get(chain.getKey());
        byte[] prev = headHashes.get(chain.getKey());
        byte[] link = prev;
        byte[] hashes = new byte[32 * chain.getValue().size()];
        int k = 0;
        for (EventRow r : chain.getValue()) {
          byte[] eventHash = r.eventHash();
          sha256.update(link);
          sha256.update(eventHash);
          link = sha256.digest();
          System.arraycopy(eventHash, 0, hashes, 32 * k++, 32);
          positions.put(r, ++seq);
        }
        block.setString(1, chain.getKey());
        block.setLong(2, seq - k + 1);
        block.setLong(3, seq);
        block.setString(4, HexFormat.of().formatHex(prev));
        block.setString(5, HexFormat.of().formatHex(link));
        block.setBytes(6, hashes);
        block.addBatch();
        head.setLong(1, seq);
        head.setString(2, HexFormat.of().formatHex(link));
        head.setLong(3, seq);
        head.setString(4, chain.getKey());
        head.addBatch();
      }
      copy(rows, positions);
      block.executeBatch();
      head.executeBatch();
    }
  }

  /** The store's COPY, streamed in the same chunks, with the chain position as a last column. */
  private void copy(List<EventRow> rows, Map<EventRow, Long> positions) throws SQLException {
    CopyIn in = c.unwrap(PGConnection.class).getCopyAPI().copyIn("copy " + schema + ".audit_event ("
        + String.join(", ", EventRow.WRITE_COLUMNS) + ", chain_seq) from stdin");
    try {
      StringBuilder sb = new StringBuilder(PgWriter.COPY_CHUNK + 4096);
      for (EventRow r : rows) {
        PgWriter.appendLine(r, sb);
        sb.setLength(sb.length() - 1);
        sb.append('\t').append(positions.get(r)).append('\n');
        if (sb.length() >= PgWriter.COPY_CHUNK) {
          send(in, sb);
        }
      }
      send(in, sb);
      in.endCopy();
    } finally {
      if (in.isActive()) {
        in.cancelCopy();
      }
    }
  }

  private static void send(CopyIn in, StringBuilder sb) throws SQLException {
    byte[] b = sb.toString().getBytes(StandardCharsets.UTF_8);
    in.writeToCopy(b, 0, b.length);
    sb.setLength(0);
  }

  /**
   * Checks what was written, so that the measurement counts real work: every block continues its
   * chain's previous one, its hash is the chain of its event hashes, and every event row has a
   * position. Returns the number of positions sealed.
   */
  long check() throws SQLException {
    long sealed = 0;
    Map<String, String> last = new HashMap<>();
    Map<String, Long> lastSeq = new HashMap<>();
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select chain_id, first_seq, last_seq, "
        + "prev_hash, hash, event_hashes from " + schema + ".audit_seal_block order by chain_id, first_seq")) {
      while (rs.next()) {
        String chain = rs.getString(1);
        long first = rs.getLong(2);
        long end = rs.getLong(3);
        String prev = rs.getString(4);
        byte[] hashes = rs.getBytes(6);
        if (first != lastSeq.getOrDefault(chain, 0L) + 1 || !prev.equals(last.getOrDefault(chain, HexFormat.of()
            .formatHex(new byte[32]))) || hashes.length != 32 * (end - first + 1)) {
          throw new IllegalStateException("block " + chain + "#" + first + " does not continue its chain");
        }
        byte[] link = HexFormat.of().parseHex(prev);
        for (int k = 0; k < hashes.length; k += 32) {
          sha256.update(link);
          sha256.update(hashes, k, 32);
          link = sha256.digest();
        }
        if (!HexFormat.of().formatHex(link).equals(rs.getString(5))) {
          throw new IllegalStateException("block " + chain + "#" + first + " does not hash to its stored hash");
        }
        last.put(chain, rs.getString(5));
        lastSeq.put(chain, end);
        sealed += end - first + 1;
      }
      try (ResultSet n = s.executeQuery("select count(*) from " + schema + ".audit_event where chain_seq is null")) {
        n.next();
        if (n.getLong(1) != 0) {
          throw new IllegalStateException(n.getLong(1) + " event rows without a chain position");
        }
      }
    } finally {
      c.rollback();
    }
    return sealed;
  }

  @Override
  public void close() {
    try {
      c.close();
    } catch (SQLException e) {
      // measurement only
    }
  }
}

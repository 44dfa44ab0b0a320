package dev.auditkit.jdbc.internal;

import dev.auditkit.core.AuditEvent;
import dev.auditkit.core.Seal;
import dev.auditkit.core.chain.ChainSource;
import dev.auditkit.core.chain.ChainIds;
import dev.auditkit.core.chain.Checkpoint;
import dev.auditkit.core.internal.EventNodes;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.UUID;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import javax.sql.DataSource;

/**
 * One chain as stored: seals joined with their events in sequence order, streamed from the database
 * with a cursor (constant memory), and the stored checkpoints. Rows come as they are, never
 * repaired: a seal whose event row is gone simply is not returned, which the verifier sees as a gap.
 */
public final class StoredChain implements ChainSource {
  private final DataSource dataSource;
  private final Names names;
  private final EventReader reader;
  private final String chainId;

  public StoredChain(DataSource dataSource, Names names, EventReader reader, String chainId) {
    this.dataSource = dataSource;
    this.names = names;
    this.reader = reader;
    this.chainId = chainId;
  }

  @Override
  public String chainId() {
    return chainId;
  }

  @Override
  public Stream<AuditEvent> events() {
    String sql = "select s.chain_id as seal_chain, s.seq as seal_seq, s.prev_hash as seal_prev, s.hash as seal_hash, "
        + reader.selectList("e") + " from " + names.sealTable() + " s join " + names.eventTable()
        + " e on e.id = s.event_id and e.occurred_at = s.occurred_at where s.chain_id = ? order by s.seq";
    // the rows are fetched and rebuilt on a thread of their own, ahead of the caller, who hashes them
    Stream<AuditEvent> rows = query(sql, rs -> {
      Seal seal = new Seal(rs.getString("seal_chain"), rs.getLong("seal_seq"), rs.getString("seal_prev"),
          rs.getString("seal_hash"));
      try {
        return EventNodes.get().buildExact(reader.builder(rs, true).seal(seal));
      } catch (RuntimeException e) {
        if (!EventReader.isRowProblem(e)) {
          throw e; // not the row: a bug, or the driver; verify fails rather than report tampering
        }
        return EventReader.unreadable(rs, seal, e);
      }
    });
    return Prefetch.of(rows, 16, "auditkit-chain-reader");
  }

  @Override
  public Stream<Checkpoint> checkpoints() {
    String sql = "select chain_id, seq, head_hash, created_at, key_fingerprint, signature from "
        + names.checkpointTable() + " where chain_id = ? order by seq";
    return query(sql, rs -> Checkpoint.of(rs.getString(1), rs.getLong(2), rs.getString(3),
        rs.getTimestamp(4).toInstant(), rs.getString(5), rs.getString(6)));
  }

  @Override
  public Optional<Instant> oldestUnsealed() {
    // by tenant, so the tenant index serves; deliberately not bounded by the sealer's low-water
    // mark, which is a cache an attacker could move
    String tenant = ChainIds.tenantOf(chainId);
    String sql = "select min(e.recorded_at) from " + names.eventTable() + " e where "
        + (tenant == null ? "(e.tenant_id is null or e.tenant_id = '')" : "e.tenant_id = ?")
        + " and not exists (select 1 from " + names.sealTable() + " s where s.event_id = e.id"
        + " and s.occurred_at = e.occurred_at)";
    try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
      if (tenant != null) {
        ps.setString(1, tenant);
      }
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        Timestamp t = rs.getTimestamp(1);
        return Optional.ofNullable(t).map(Timestamp::toInstant);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("reading unsealed events of " + chainId + " failed: " + e.getMessage(), e);
    }
  }

  /** A lazily read result set as a stream; closing the stream closes the connection. */
  private <T> Stream<T> query(String sql, RowFunction<T> map) {
    Connection c = null;
    try {
      c = dataSource.getConnection();
      c.setAutoCommit(false); // PostgreSQL streams with a cursor only inside a transaction
      PreparedStatement ps = c.prepareStatement(sql);
      ps.setFetchSize(1000);
      ps.setString(1, chainId);
      ResultSet rs = ps.executeQuery();
      Connection conn = c;
      Iterator<T> it = new Iterator<>() {
        private Boolean hasNext;

        @Override
        public boolean hasNext() {
          if (hasNext == null) {
            try {
              hasNext = rs.next();
            } catch (SQLException e) {
              throw new IllegalStateException("reading chain " + chainId + " failed: " + e.getMessage(), e);
            }
          }
          return hasNext;
        }

        @Override
        public T next() {
          if (!hasNext()) {
            throw new NoSuchElementException();
          }
          hasNext = null;
          try {
            return map.apply(rs);
          } catch (SQLException e) {
            throw new IllegalStateException("reading chain " + chainId + " failed: " + e.getMessage(), e);
          }
        }
      };
      return StreamSupport.stream(Spliterators.spliteratorUnknownSize(it, Spliterator.ORDERED), false)
          .onClose(() -> {
            try (conn) {
              conn.rollback();
            } catch (SQLException e) {
              // nothing was written; closing is all that matters
            }
          });
    } catch (SQLException e) {
      if (c != null) {
        try {
          c.close();
        } catch (SQLException ignored) {
          // reported below
        }
      }
      throw new IllegalStateException("reading chain " + chainId + " failed: " + e.getMessage(), e);
    }
  }

  @FunctionalInterface
  private interface RowFunction<T> {
    T apply(ResultSet rs) throws SQLException;
  }
}

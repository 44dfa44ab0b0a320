package dev.auditkit.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.auditkit.core.AuditEvent;
import dev.auditkit.core.chain.ChainIds;
import dev.auditkit.core.chain.ChainSealer;
import dev.auditkit.jdbc.internal.Dialect;
import dev.auditkit.jdbc.internal.EventReader;
import dev.auditkit.testing.TestDatabase;
import dev.auditkit.testing.TestDialect;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/** Test helper: reads the seal table back and checks the chains by recomputing every hash. */
final class Chains {
  private Chains() {}

  /** Every seal, as chain id → event ids in sequence order; asserts each chain is gapless and valid. */
  static Map<String, List<UUID>> assertValid(TestDatabase db) throws SQLException {
    Dialect dialect = db.dialect() == TestDialect.POSTGRESQL ? Dialect.POSTGRESQL : Dialect.H2;
    EventReader reader = new EventReader(dialect);
    Map<String, List<UUID>> chains = new HashMap<>();
    Set<UUID> seen = new HashSet<>();
    try (Connection c = db.connection(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("select s.chain_id, s.seq, s.prev_hash, s.hash, " + reader.selectList("e")
            + " from audit_seal s join audit_event e on e.id = s.event_id and e.occurred_at = s.occurred_at"
            + " order by s.chain_id, s.seq")) {
      String chain = null;
      long expectSeq = 0;
      String prev = null;
      while (rs.next()) {
        String id = rs.getString("chain_id");
        if (!id.equals(chain)) {
          chain = id;
          expectSeq = 1;
          prev = ChainSealer.genesisHash(id);
        }
        AuditEvent e = reader.read(rs);
        assertThat(rs.getLong("seq")).as("sequence in %s", chain).isEqualTo(expectSeq);
        assertThat(rs.getString("prev_hash")).as("link at %s#%d", chain, expectSeq).isEqualTo(prev);
        String hash = ChainSealer.hash(prev, e);
        assertThat(rs.getString("hash")).as("hash at %s#%d", chain, expectSeq).isEqualTo(hash);
        assertThat(ChainIds.of(e)).isEqualTo(chain);
        assertThat(seen.add(e.id())).as("event %s sealed once", e.id()).isTrue();
        chains.computeIfAbsent(chain, k -> new ArrayList<>()).add(e.id());
        prev = hash;
        expectSeq++;
      }
    }
    return chains;
  }

  static long count(TestDatabase db, String sql) throws SQLException {
    try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(sql);
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }
}

package dev.auditkit.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.auditkit.core.AuditEvent;
import dev.auditkit.jdbc.internal.OwnedPool;
import dev.auditkit.testing.DatabaseTest;
import dev.auditkit.testing.TestDatabase;
import dev.auditkit.testing.TestDialect;
import java.io.PrintWriter;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * Large sealing passes. On PostgreSQL a pass that expects thousands of rows reads them on a second
 * connection and seals them a chunk (whole writing transactions) at a time while its own connection
 * stores the seals; the chains must come out exactly as from a pass that reads everything first:
 * each event once, gapless, in writing order, and within one transaction by time and id. Without a
 * second connection the pass reads on its own, and sealing stays correct.
 */
class LargePassTest {

  /** 12 transactions of 500 events over four chains, one of 5,000 (more than a chunk), one of 1. */
  private static List<List<AuditEvent>> batches() {
    List<List<AuditEvent>> batches = new ArrayList<>();
    String[] tenants = {"org-1", "org-2", "org-3", null};
    int i = 0;
    for (int b = 0; b < 12; b++) {
      List<AuditEvent> batch = new ArrayList<>();
      for (int k = 0; k < 500; k++, i++) {
        batch.add(SealingTest.event(tenants[i % 4], i));
      }
      batches.add(batch);
      if (b == 5) {
        List<AuditEvent> big = new ArrayList<>();
        for (int k = 5_000; k > 0; k--) {
          big.add(SealingTest.event("org-1", 100_000 + k)); // written newest first
        }
        batches.add(big);
      }
    }
    batches.add(List.of(SealingTest.event("org-2", 200_000)));
    return batches;
  }

  /**
   * Writes each batch in a transaction of its own; the 5,000 in one host transaction by 50 appends of
   * 100, newest first, so that the rows are stored in another order than the one they are sealed in.
   */
  private static int write(JdbcAuditStore store, List<List<AuditEvent>> batches, TestDatabase db) throws SQLException {
    int n = 0;
    for (List<AuditEvent> b : batches) {
      if (b.size() < 5_000) {
        store.write(b);
      } else {
        try (Connection c = db.connection()) {
          c.setAutoCommit(false);
          for (int i = 0; i < b.size(); i += 100) {
            store.append(c, b.subList(i, i + 100));
          }
          c.commit();
        }
      }
      n += b.size();
    }
    return n;
  }

  @DatabaseTest
  void aLargePassSealsEveryEventOnceInWritingOrder(TestDatabase db) throws Exception {
    CountingDataSource ds = new CountingDataSource(db.dataSource(), Integer.MAX_VALUE);
    List<List<AuditEvent>> batches = batches();
    List<AuditEvent> big = batches.get(6);
    try (JdbcAuditStore store = JdbcAuditStore.builder(ds).sealInterval(null).build()) {
      int n = write(store, batches, db);
      // one event without the writer's hash: read back and hashed mid-pass (on the reading connection)
      UUID hashless = batches.get(3).get(17).id();
      try (Connection c = db.connection(); Statement s = c.createStatement()) {
        s.execute(db.dialect() == TestDialect.POSTGRESQL ? "set session_replication_role = replica"
            : "drop trigger audit_event_no_update");
        s.execute("update audit_event set event_hash = null where id = '" + hashless + "'");
      }
      ds.maxOpen.set(0);
      assertThat(store.sealNow()).isEqualTo(n);
      if (db.dialect() == TestDialect.POSTGRESQL) {
        assertThat(ds.maxOpen.get()).as("connections a large pass held at once").isEqualTo(2);
      }

      Map<String, List<UUID>> chains = Chains.assertValid(db);
      Set<UUID> sealed = new HashSet<>();
      chains.values().forEach(sealed::addAll);
      assertThat(sealed).hasSize(n).contains(hashless);
      // the big transaction follows the 3,000 earlier events and precedes the later ones in org-1's
      // chain; on PostgreSQL ordered by time within itself although it was stored newest first (H2
      // seals in the order rows were stored)
      List<UUID> org1 = chains.get("t:org-1").subList(750, 750 + big.size());
      if (db.dialect() == TestDialect.POSTGRESQL) {
        assertThat(org1).containsExactlyElementsOf(big.stream()
            .sorted(Comparator.comparing(AuditEvent::occurredAt)).map(AuditEvent::id).toList());
      } else {
        assertThat(org1).containsExactlyInAnyOrderElementsOf(big.stream().map(AuditEvent::id).toList());
      }
      for (String chain : chains.keySet()) {
        assertThat(store.verify(chain).ok()).as(chain).isTrue();
      }
      assertThat(store.sealingLag()).isZero();
    }
  }

  @DatabaseTest
  void withoutASecondConnectionAPassReadsOnItsOwn(TestDatabase db) throws Exception {
    CountingDataSource ds = new CountingDataSource(db.dataSource(), Integer.MAX_VALUE);
    try (JdbcAuditStore store = JdbcAuditStore.builder(ds).sealInterval(null).build()) {
      ds.limit = 1; // from here on (H2's migration takes two)
      int n = write(store, batches(), db);
      assertThat(store.sealNow()).isEqualTo(n);
      int refusedAfterFirst = ds.refused.get();
      assertThat(refusedAfterFirst).isLessThanOrEqualTo(1);

      int more = write(store, batches(), db);
      assertThat(store.sealNow()).isEqualTo(more);
      assertThat(ds.refused.get()).as("asked again after a refusal").isEqualTo(refusedAfterFirst);
      Map<String, List<UUID>> chains = Chains.assertValid(db);
      assertThat(chains.values().stream().mapToInt(List::size).sum()).isEqualTo(n + more);
    }
  }

  @Test
  void onlyPoolsKnownToLendASecondConnectionSafelyAreAskedForOne() {
    try (HikariDataSource two = new HikariDataSource(); HikariDataSource three = new HikariDataSource()) {
      two.setMaximumPoolSize(2);
      three.setMaximumPoolSize(3);
      assertThat(OwnedPool.lendsTwo(two)).isFalse();
      assertThat(OwnedPool.lendsTwo(three)).isTrue();
      assertThat(OwnedPool.lendsTwo(new CountingDataSource(three, 1))).as("behind a wrapper").isTrue();
      assertThat(OwnedPool.lendsTwo(new CountingDataSource(two, 1))).isFalse();
      assertThat(OwnedPool.lendsTwo(new org.postgresql.ds.PGSimpleDataSource())).as("no pool").isTrue();
      // a pool the store cannot see into (its size, how long it waits) is never asked for two
      assertThat(OwnedPool.lendsTwo(new CountingDataSource(null, 1))).isFalse();
      assertThat(OwnedPool.lendsTwo(new org.h2.jdbcx.JdbcDataSource())).isFalse();
    }
  }

  /** Counts connections open at once, and refuses more than {@code limit} of them. */
  static final class CountingDataSource implements DataSource {
    private final DataSource target;
    volatile int limit;
    final AtomicInteger open = new AtomicInteger();
    final AtomicInteger maxOpen = new AtomicInteger();
    final AtomicInteger refused = new AtomicInteger();

    CountingDataSource(DataSource target, int limit) {
      this.target = target;
      this.limit = limit;
    }

    @Override
    public Connection getConnection() throws SQLException {
      if (open.get() >= limit) {
        refused.incrementAndGet();
        throw new SQLException("this test's pool has no connection left");
      }
      Connection c = target.getConnection();
      maxOpen.accumulateAndGet(open.incrementAndGet(), Math::max);
      boolean[] closed = {false};
      return (Connection) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Connection.class},
          (proxy, m, args) -> {
            if (m.getName().equals("close") && !closed[0]) {
              closed[0] = true;
              open.decrementAndGet();
            }
            try {
              return m.invoke(c, args);
            } catch (java.lang.reflect.InvocationTargetException e) {
              throw e.getCause();
            }
          });
    }

    @Override
    public Connection getConnection(String user, String password) throws SQLException {
      throw new SQLFeatureNotSupportedException();
    }

    @Override
    public PrintWriter getLogWriter() {
      return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) {}

    @Override
    public void setLoginTimeout(int seconds) {}

    @Override
    public int getLoginTimeout() {
      return 0;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
      throw new SQLFeatureNotSupportedException();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
      return target.unwrap(iface);
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) throws SQLException {
      return target != null && target.isWrapperFor(iface);
    }
  }
}

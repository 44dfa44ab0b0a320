package dev.auditkit.jdbc;

import static dev.auditkit.jdbc.StoreFixtures.count;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.auditkit.core.Actor;
import dev.auditkit.core.AuditContext;
import dev.auditkit.core.AuditEvent;
import dev.auditkit.core.AuditLog;
import dev.auditkit.core.EventKind;
import dev.auditkit.core.RedactionPolicy;
import dev.auditkit.testing.DatabaseTest;
import dev.auditkit.testing.TestDatabase;
import dev.auditkit.testing.TestDialect;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;

/** Audit rows written on the host's connection commit and roll back with the business change. */
class HostTransactionTest {

  @DatabaseTest
  void rollback_leavesNoAuditRow(TestDatabase db) throws SQLException {
    JdbcAuditStore store = JdbcAuditStore.create(db.dataSource());
    AuditEvent e = StoreFixtures.event();
    try (Connection c = db.connection()) {
      c.setAutoCommit(false);
      store.append(c, List.of(e));
      assertThat(rowsSeenBy(c, store)).as("visible inside the transaction").isEqualTo(1);
      assertThat(count(db.dataSource(), "select count(*) from " + store.eventTable()))
          .as("invisible outside before commit").isZero();
      c.rollback();
    }
    assertThat(count(db.dataSource(), "select count(*) from " + store.eventTable())).isZero();
    assertThat(store.findById(e.id())).isEmpty();
  }

  @DatabaseTest
  void commit_leavesExactlyOneRow(TestDatabase db) throws SQLException {
    JdbcAuditStore store = JdbcAuditStore.create(db.dataSource());
    AuditEvent e = StoreFixtures.event();
    try (Connection c = db.connection()) {
      c.setAutoCommit(false);
      store.append(c, List.of(e));
      store.append(c, List.of(e)); // a retried call inside the same transaction
      c.commit();
    }
    assertThat(count(db.dataSource(), "select count(*) from " + store.eventTable())).isEqualTo(1);
    assertThat(store.findById(e.id())).contains(e);
  }

  @DatabaseTest
  void largeBatchInTransaction_rollsBackWhole(TestDatabase db) throws SQLException {
    JdbcAuditStore store = JdbcAuditStore.create(db.dataSource());
    List<AuditEvent> events = new java.util.ArrayList<>();
    for (int i = 0; i < 300; i++) {
      events.add(StoreFixtures.jobTransition("j-" + i).build());
    }
    try (Connection c = db.connection()) {
      c.setAutoCommit(false);
      store.append(c, events.subList(0, 10));
      store.append(c, events); // overlaps: on PostgreSQL the COPY conflicts and falls back inside the transaction
      assertThat(rowsSeenBy(c, store)).isEqualTo(300);
      c.rollback();
    }
    assertThat(count(db.dataSource(), "select count(*) from " + store.eventTable())).isZero();
  }

  @DatabaseTest
  void jobTransition_isWrittenWithItsBusinessRowInOneTransaction(TestDatabase db) throws SQLException {
    JdbcAuditStore store = JdbcAuditStore.create(db.dataSource());
    Jdbi jdbi = Jdbi.create(db.dataSource());
    jdbi.useHandle(h -> {
      h.execute("create table job (id varchar(40) primary key, status varchar(40) not null check (status <> 'INVALID'))");
      h.execute("insert into job values ('job-991', 'SCHEDULED')");
    });

    AuditEvent approved = jdbi.inTransaction(h -> {
      String before = h.createQuery("select status from job where id = 'job-991'").mapTo(String.class).one();
      h.execute("update job set status = 'COMPLETED_PENDING_APPROVAL' where id = 'job-991'");
      AuditEvent e = StoreFixtures.jobTransition("job-991")
          .fromState(before).toState("COMPLETED_PENDING_APPROVAL")
          .metadata(Map.of("completedBy", "w-7")).build();
      store.append(h, List.of(e));
      return e;
    });

    String status = jdbi.withHandle(h -> h.createQuery("select status from job").mapTo(String.class).one());
    assertThat(status).isEqualTo("COMPLETED_PENDING_APPROVAL");
    AuditEvent stored = store.findById(approved.id()).orElseThrow();
    assertThat(stored.kind()).isEqualTo(EventKind.TRANSITION);
    assertThat(stored.fromState()).isEqualTo("SCHEDULED");
    assertThat(stored.toState()).isEqualTo("COMPLETED_PENDING_APPROVAL");
    assertThat(stored).isEqualTo(approved);

    // the business change fails after the audit row was appended: neither remains
    AuditEvent failed = StoreFixtures.jobTransition("job-991").fromState("COMPLETED_PENDING_APPROVAL").toState("INVALID").build();
    assertThatThrownBy(() -> jdbi.useTransaction(h -> {
      store.append(h, List.of(failed));
      h.execute("update job set status = 'INVALID' where id = 'job-991'");
    })).hasMessageContaining("INVALID");
    assertThat(store.findById(failed.id())).isEmpty();
    assertThat(count(db.dataSource(), "select count(*) from " + store.eventTable())).isEqualTo(1);
  }

  @DatabaseTest
  void eventPreparedByTheLog_carriesContextAndRedaction_andCommitsWithTheBusinessChange(TestDatabase db) throws SQLException {
    JdbcAuditStore store = JdbcAuditStore.create(db.dataSource());
    // the log delivers nothing here: its store only receives what the host appends itself
    AuditLog audit = AuditLog.builder().store(store).source("portal", "4.2.0", "web-1")
        .redaction(RedactionPolicy.defaults().maskKeys("gateCode")).build();
    Jdbi jdbi = Jdbi.create(db.dataSource());
    jdbi.useHandle(h -> {
      h.execute("create table site (id varchar(40) primary key, gate_code varchar(40) not null)");
      h.execute("insert into site values ('s-1', '1234')");
    });
    AuditContext ctx = AuditContext.builder().tenantId("org-17").actor(Actor.user("u-42").role("dispatcher"))
        .ipAddress("203.0.113.9").requestId("req-9").build();

    AuditEvent e = AuditContext.supplyWithAuditContext(ctx, () -> jdbi.inTransaction(h -> {
      h.execute("update site set gate_code = '9876' where id = 's-1'");
      AuditEvent prepared = audit.prepare(AuditEvent.builder().action(AuditLog.ACTION_UPDATED).kind(EventKind.UPDATE)
          .resource("Site", "s-1")
          .changes(audit.differ().diff("Site", Map.of("gateCode", "1234"), Map.of("gateCode", "9876"))));
      store.append(h, List.of(prepared));
      return prepared;
    }));

    AuditEvent stored = store.findById(e.id()).orElseThrow();
    assertThat(stored).isEqualTo(e);
    assertThat(stored.tenantId()).isEqualTo("org-17");
    assertThat(stored.actor().id()).isEqualTo("u-42");
    assertThat(stored.request().ip()).isEqualTo("203.0.113.9");
    assertThat(stored.source().app()).isEqualTo("portal");
    assertThat(stored.changes()).singleElement().satisfies(c -> {
      assertThat(c.path()).isEqualTo("gateCode");
      assertThat(c.from().asText()).isEqualTo(RedactionPolicy.REDACTED);
      assertThat(c.to().asText()).isEqualTo(RedactionPolicy.REDACTED);
    });
    assertThat(count(db.dataSource(), "select count(*) from " + store.eventTable()
        + " where cast(changes as varchar(4000)) like '%1234%' or cast(changes as varchar(4000)) like '%9876%'"))
        .as("no secret in the stored row").isZero();
    assertThat(store.sealNow()).isEqualTo(1);
    assertThat(store.verify("t:org-17").ok()).isTrue();
  }

  @DatabaseTest(TestDialect.POSTGRESQL)
  void txId_isTheHostTransaction(TestDatabase db) throws SQLException {
    // sealing orders events by the transaction that wrote them
    JdbcAuditStore store = JdbcAuditStore.create(db.dataSource());
    AuditEvent e = StoreFixtures.event();
    String hostTx;
    try (Connection c = db.connection()) {
      c.setAutoCommit(false);
      store.append(c, List.of(e));
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select pg_current_xact_id()::text")) {
        rs.next();
        hostTx = rs.getString(1);
      }
      c.commit();
    }
    try (Connection c = db.connection();
        PreparedStatement ps = c.prepareStatement("select tx_id::text from " + store.eventTable() + " where id = ?")) {
      ps.setObject(1, e.id());
      try (ResultSet rs = ps.executeQuery()) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).isEqualTo(hostTx);
      }
    }
  }

  @DatabaseTest(TestDialect.POSTGRESQL)
  void newMonthInsideAnOpenHostTransaction_doesNotBlockOtherWriters(TestDatabase db) throws Exception {
    JdbcAuditStore store = JdbcAuditStore.create(db.dataSource());
    try (Connection host = db.connection()) {
      host.setAutoCommit(false);
      store.append(host, List.of(StoreFixtures.event()));
      // the host transaction holds its lock on the table; partitions for far months are still
      // created (ATTACH needs no lock that conflicts with inserts) and other writers proceed
      AuditEvent far = StoreFixtures.jobTransition("j-far").occurredAt(Instant.parse("2031-02-03T04:05:06Z")).build();
      java.util.concurrent.CompletableFuture<Void> other = java.util.concurrent.CompletableFuture.runAsync(
          () -> store.write(List.of(far)));
      other.get(20, java.util.concurrent.TimeUnit.SECONDS);
      AuditEvent farInHost = StoreFixtures.jobTransition("j-far2").occurredAt(Instant.parse("2032-03-03T00:00:00Z")).build();
      store.append(host, List.of(farInHost));
      host.commit();
      assertThat(store.findById(far.id())).contains(far);
      assertThat(store.findById(farInHost.id())).contains(farInHost);
    }
  }

  @DatabaseTest
  void append_badArguments_areRejected(TestDatabase db) throws SQLException {
    JdbcAuditStore store = JdbcAuditStore.create(db.dataSource());
    try (Connection c = db.connection()) {
      assertThatThrownBy(() -> store.append((Connection) null, List.of(StoreFixtures.event())))
          .isInstanceOf(NullPointerException.class).hasMessageContaining("connection");
      assertThatThrownBy(() -> store.append(c, null)).isInstanceOf(NullPointerException.class);
      assertThatThrownBy(() -> store.append((org.jdbi.v3.core.Handle) null, List.of()))
          .isInstanceOf(NullPointerException.class).hasMessageContaining("handle");
      store.append(c, List.of());
    }
    assertThat(count(db.dataSource(), "select count(*) from " + store.eventTable())).isZero();
  }

  private static long rowsSeenBy(Connection c, JdbcAuditStore store) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select count(*) from " + store.eventTable())) {
      rs.next();
      return rs.getLong(1);
    }
  }
}

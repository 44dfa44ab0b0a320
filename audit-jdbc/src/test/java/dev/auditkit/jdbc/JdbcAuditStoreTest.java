package dev.auditkit.jdbc;

import static dev.auditkit.jdbc.StoreFixtures.count;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.auditkit.core.AuditEvent;
import dev.auditkit.core.AuditLog;
import dev.auditkit.core.AuditWriteException;
import dev.auditkit.core.InvalidAuditEventException;
import dev.auditkit.testing.DatabaseTest;
import dev.auditkit.testing.TestDatabase;
import dev.auditkit.testing.TestDialect;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class JdbcAuditStoreTest {

  @DatabaseTest
  void auditLog_writesThroughTheStore(TestDatabase db) {
    JdbcAuditStore store = JdbcAuditStore.create(db.dataSource());
    AuditLog audit = AuditLog.builder().store(store).build();
    UUID id = audit.transition("Job", "job-991", "SCHEDULED", "COMPLETED_PENDING_APPROVAL", Map.of("by", "w-7"));
    AuditEvent e = store.findById(id).orElseThrow();
    assertThat(e.resource().id()).isEqualTo("job-991");
    assertThat(e.toState()).isEqualTo("COMPLETED_PENDING_APPROVAL");
    assertThat(e.metadata().get("by").asText()).isEqualTo("w-7");
  }

  @DatabaseTest
  void replayedLargeBatch_neverDuplicates(TestDatabase db) throws SQLException {
    JdbcAuditStore store = JdbcAuditStore.create(db.dataSource());
    List<AuditEvent> batch = new ArrayList<>();
    for (int i = 0; i < 5_000; i++) {
      batch.add(StoreFixtures.jobTransition("j-" + i).occurredAt(Instant.parse("2026-01-01T00:00:00Z").plusSeconds(i * 60L)).build());
    }
    store.write(batch.subList(0, 2_500));
    store.write(batch); // half already stored: COPY conflicts, the INSERT fallback skips them
    store.write(batch);
    assertThat(count(db.dataSource(), "select count(*) from " + store.eventTable())).isEqualTo(5_000);
    assertThat(count(db.dataSource(), "select count(distinct id) from " + store.eventTable())).isEqualTo(5_000);
  }

  @DatabaseTest
  void poolHandingOutManualCommitConnections_stillCommitsEveryBatch(TestDatabase db) throws SQLException {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(db.jdbcUrl());
    config.setAutoCommit(false);
    config.setMaximumPoolSize(2);
    try (HikariDataSource pool = new HikariDataSource(config)) {
      JdbcAuditStore store = JdbcAuditStore.builder(pool).sealInterval(null).build();
      List<AuditEvent> batch = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        batch.add(StoreFixtures.jobTransition("j-" + i).build());
      }
      store.write(batch.subList(0, 5)); // INSERT path
      store.write(batch); // COPY conflicts on the first five, INSERT fallback
      store.write(batch.subList(50, 100)); // replay of stored rows only
      try (Connection c = pool.getConnection()) {
        assertThat(c.getAutoCommit()).as("the pool's setting is restored").isFalse();
      }
    }
    // counted on another pool: only committed rows are visible there
    assertThat(count(db.dataSource(), "select count(*) from " + JdbcAuditStore.builder(db.dataSource())
        .sealInterval(null).migrate(false).build().eventTable())).isEqualTo(100);
  }

  @DatabaseTest
  void events_readsAWindowInOrderWithALimit(TestDatabase db) {
    JdbcAuditStore store = JdbcAuditStore.create(db.dataSource());
    Instant t = Instant.parse("2026-02-01T00:00:00Z");
    List<AuditEvent> batch = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      batch.add(StoreFixtures.jobTransition("j-" + i).occurredAt(t.plusSeconds(i)).build());
    }
    store.write(batch);
    List<AuditEvent> window = store.events(t.plusSeconds(10), t.plusSeconds(20), 5);
    assertThat(window).containsExactlyElementsOf(batch.subList(10, 15));
    assertThat(store.events(t.plusSeconds(10), t.plusSeconds(20), 100)).hasSize(10);
    assertThat(store.events(t.plusSeconds(20), t.plusSeconds(10), 100)).isEmpty();
    assertThat(store.events(t, t.plusSeconds(100), 0)).isEmpty();
    assertThatThrownBy(() -> store.events(t, t, -1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> store.events(null, t, 1)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> store.findById(null)).isInstanceOf(NullPointerException.class);
  }

  @DatabaseTest
  void timeOutsideTheStorableRange_isRejectedNamingTheField_beforeItReachesTheStore(TestDatabase db) throws SQLException {
    JdbcAuditStore store = JdbcAuditStore.create(db.dataSource());
    for (Instant bad : List.of(Instant.parse("+10000-01-01T00:00:00Z"), Instant.parse("-0001-12-31T00:00:00Z"))) {
      // refused where the event is built, so no store (and no ASYNC queue) ever holds it
      assertThatThrownBy(() -> StoreFixtures.jobTransition("j").occurredAt(bad).build())
          .isInstanceOf(InvalidAuditEventException.class).hasMessageContaining("occurredAt");
    }
    assertThat(count(db.dataSource(), "select count(*) from " + store.eventTable())).isZero();
  }

  @DatabaseTest
  void createFromUrl_ownsItsPoolAndClosesIt(TestDatabase db) {
    JdbcAuditStore store = JdbcAuditStore.create(db.jdbcUrl());
    AuditEvent e = StoreFixtures.event();
    store.write(List.of(e));
    assertThat(store.findById(e.id())).contains(e);
    store.close();
    assertThatThrownBy(() -> store.write(List.of(StoreFixtures.event()))).isInstanceOf(AuditWriteException.class);
    // a store on a given DataSource leaves it open
    JdbcAuditStore onDs = JdbcAuditStore.create(db.dataSource());
    onDs.close();
    assertThat(onDs.findById(e.id())).contains(e);
  }

  @Test
  void createFromBadUrl_failsClearly() {
    assertThatThrownBy(() -> JdbcAuditStore.create((String) null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> JdbcAuditStore.create("   ")).isInstanceOf(AuditStoreSetupException.class)
        .hasMessageContaining("jdbc:");
    assertThatThrownBy(() -> JdbcAuditStore.create("postgres://host/db?password=hunter2"))
        .isInstanceOf(AuditStoreSetupException.class).hasMessageNotContaining("hunter2");
    assertThatThrownBy(() -> JdbcAuditStore.create("jdbc:nosuchdriver://x?password=hunter2"))
        .isInstanceOf(AuditStoreSetupException.class).hasMessageNotContaining("hunter2");
  }

  @DatabaseTest(TestDialect.POSTGRESQL)
  void postgresColumns_useNativeTypes(TestDatabase db) throws SQLException {
    JdbcAuditStore store = JdbcAuditStore.create(db.dataSource());
    AuditEvent e = StoreFixtures.jobTransition("j-1").ipAddress("2001:db8::1").metadata("route", "admin/jobs").build();
    store.write(List.of(e));
    try (Connection c = db.connection();
        PreparedStatement ps = c.prepareStatement("select pg_typeof(id)::text, pg_typeof(occurred_at)::text, pg_typeof(ip)::text, "
            + "pg_typeof(metadata)::text, metadata->>'route', new_value->>'status', ip << inet '2001:db8::/32' from "
            + store.eventTable() + " where id = ?")) {
      ps.setObject(1, e.id());
      try (ResultSet rs = ps.executeQuery()) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).isEqualTo("uuid");
        assertThat(rs.getString(2)).isEqualTo("timestamp with time zone");
        assertThat(rs.getString(3)).isEqualTo("inet");
        assertThat(rs.getString(4)).isEqualTo("jsonb");
        assertThat(rs.getString(5)).isEqualTo("admin/jobs");
        assertThat(rs.getString(6)).isEqualTo("COMPLETED_PENDING_APPROVAL");
        assertThat(rs.getBoolean(7)).isTrue();
      }
    }
  }

  @DatabaseTest(TestDialect.H2)
  void h2IngestSeq_followsWriteOrder(TestDatabase db) throws SQLException {
    JdbcAuditStore store = JdbcAuditStore.create(db.dataSource());
    AuditEvent first = StoreFixtures.jobTransition("a").occurredAt(Instant.parse("2026-05-01T00:00:00Z")).build();
    AuditEvent second = StoreFixtures.jobTransition("b").occurredAt(Instant.parse("2020-05-01T00:00:00Z")).build();
    store.write(List.of(first));
    store.write(List.of(second));
    try (Connection c = db.connection();
        PreparedStatement ps = c.prepareStatement("select id from " + store.eventTable() + " order by ingest_seq");
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      assertThat(rs.getObject(1, UUID.class)).isEqualTo(first.id());
      rs.next();
      assertThat(rs.getObject(1, UUID.class)).isEqualTo(second.id());
    }
  }
}

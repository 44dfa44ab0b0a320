package dev.auditkit.jdbc;

import static dev.auditkit.jdbc.StoreFixtures.count;
import static dev.auditkit.jdbc.StoreFixtures.exec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.auditkit.core.AuditEvent;
import dev.auditkit.testing.DatabaseTest;
import dev.auditkit.testing.TestDatabase;
import dev.auditkit.testing.TestDialect;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;

/** The database itself refuses to change or remove audit rows, whatever the application does. */
class AppendOnlyTest {

  private static JdbcAuditStore storeWithOneEvent(TestDatabase db) {
    JdbcAuditStore store = JdbcAuditStore.create(db.dataSource());
    store.write(List.of(StoreFixtures.event()));
    return store;
  }

  @DatabaseTest
  void update_isRefused(TestDatabase db) throws SQLException {
    JdbcAuditStore store = storeWithOneEvent(db);
    assertThatThrownBy(() -> exec(db.dataSource(), "update " + store.eventTable() + " set action = 'FORGED'"))
        .isInstanceOf(SQLException.class).hasMessageContaining("append-only").hasMessageContaining("UPDATE")
        .satisfies(e -> {
          if (db.dialect() == TestDialect.H2) { // it names the table (not the copy a migration's ALTER made)
            assertThat(e.getMessage()).containsIgnoringCase("UPDATE on " + store.eventTable() + " refused");
          }
        });
    assertThat(count(db.dataSource(), "select count(*) from " + store.eventTable() + " where action = 'JOB_STATUS_CHANGED'"))
        .isEqualTo(1);
  }

  @DatabaseTest
  void delete_isRefused(TestDatabase db) throws SQLException {
    JdbcAuditStore store = storeWithOneEvent(db);
    assertThatThrownBy(() -> exec(db.dataSource(), "delete from " + store.eventTable()))
        .isInstanceOf(SQLException.class).hasMessageContaining("append-only").hasMessageContaining("DELETE");
    assertThat(count(db.dataSource(), "select count(*) from " + store.eventTable())).isEqualTo(1);
  }

  @DatabaseTest
  void truncate_isRefused(TestDatabase db) throws SQLException {
    JdbcAuditStore store = storeWithOneEvent(db);
    assertThatThrownBy(() -> exec(db.dataSource(), "truncate table " + store.eventTable()))
        .isInstanceOf(SQLException.class);
    assertThat(count(db.dataSource(), "select count(*) from " + store.eventTable())).isEqualTo(1);
  }

  @DatabaseTest(TestDialect.POSTGRESQL)
  void truncateOfOnePartition_isRefused(TestDatabase db) throws SQLException {
    JdbcAuditStore store = JdbcAuditStore.create(db.dataSource());
    AuditEvent old = StoreFixtures.jobTransition("j-1").occurredAt(Instant.parse("2019-05-05T10:00:00Z")).build();
    store.write(List.of(old));
    String partition = db.schema() + ".audit_event_2019m05";
    assertThat(count(db.dataSource(), "select count(*) from " + partition)).isEqualTo(1);
    assertThatThrownBy(() -> exec(db.dataSource(), "truncate table " + partition))
        .isInstanceOf(SQLException.class).hasMessageContaining("append-only").hasMessageContaining("TRUNCATE");
    assertThatThrownBy(() -> exec(db.dataSource(), "delete from " + partition))
        .isInstanceOf(SQLException.class).hasMessageContaining("append-only");
    assertThatThrownBy(() -> exec(db.dataSource(), "update " + partition + " set tenant_id = 'other'"))
        .isInstanceOf(SQLException.class).hasMessageContaining("append-only");
    assertThat(store.findById(old.id())).contains(old);
  }

  @DatabaseTest(TestDialect.H2)
  void h2TruncateGuard_isWhatRefusesTruncate(TestDatabase db) throws SQLException {
    // proves the mechanism: without the guard's foreign key, TRUNCATE would go through
    JdbcAuditStore store = storeWithOneEvent(db);
    assertThatThrownBy(() -> exec(db.dataSource(), "truncate table " + store.eventTable()))
        .isInstanceOf(SQLException.class).hasMessageContaining("Cannot truncate");
    exec(db.dataSource(), "drop table " + store.eventTable() + "_truncate_guard");
    exec(db.dataSource(), "truncate table " + store.eventTable());
    assertThat(count(db.dataSource(), "select count(*) from " + store.eventTable())).isZero();
  }

  @DatabaseTest
  void insertsStillWork_afterRefusedChanges(TestDatabase db) throws SQLException {
    JdbcAuditStore store = storeWithOneEvent(db);
    assertThatThrownBy(() -> exec(db.dataSource(), "delete from " + store.eventTable()))
        .isInstanceOf(SQLException.class);
    store.write(List.of(StoreFixtures.event()));
    assertThat(count(db.dataSource(), "select count(*) from " + store.eventTable())).isEqualTo(2);
  }
}

package dev.auditkit.jdbc;

import static dev.auditkit.jdbc.StoreFixtures.count;
import static dev.auditkit.jdbc.StoreFixtures.exec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.auditkit.core.AuditEvent;
import dev.auditkit.core.AuditWriteException;
import dev.auditkit.testing.DatabaseTest;
import dev.auditkit.testing.TestDatabase;
import dev.auditkit.testing.TestDialect;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** A batch the database refuses in the middle is stored not at all, on the INSERT and the COPY path. */
class BatchAtomicityTest {

  private static JdbcAuditStore storeWithFault(TestDatabase db) throws SQLException {
    // no background sealing: its passes take locks that the trigger DDL below could deadlock with
    JdbcAuditStore store = JdbcAuditStore.builder(db.dataSource()).sealInterval(null).build();
    if (db.dialect() == TestDialect.POSTGRESQL) {
      exec(db.dataSource(), "create function boom() returns trigger language plpgsql as $$ begin "
          + "if new.action = 'BOOM' then raise exception 'injected fault: BOOM refused'; end if; return new; end $$");
      exec(db.dataSource(), "create trigger boom before insert on " + store.eventTable()
          + " for each row execute function boom()");
    } else {
      exec(db.dataSource(), "create trigger boom before insert on " + store.eventTable()
          + " for each row call '" + FailingInsertTrigger.class.getName() + "'");
    }
    return store;
  }

  private static List<AuditEvent> batchWithFaultAt(int size, int fault) {
    List<AuditEvent> batch = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      batch.add(StoreFixtures.jobTransition("j-" + i).action(i == fault ? "BOOM" : "JOB_STATUS_CHANGED").build());
    }
    return batch;
  }

  @DatabaseTest
  void smallBatch_refusedMidway_storesNothing(TestDatabase db) throws SQLException {
    JdbcAuditStore store = storeWithFault(db);
    assertThatThrownBy(() -> store.write(batchWithFaultAt(5, 3)))
        .isInstanceOf(AuditWriteException.class).hasMessageContaining("BOOM");
    assertThat(count(db.dataSource(), "select count(*) from " + store.eventTable())).isZero();
  }

  @DatabaseTest
  void copySizedBatch_refusedMidway_storesNothing(TestDatabase db) throws SQLException {
    JdbcAuditStore store = storeWithFault(db);
    assertThatThrownBy(() -> store.write(batchWithFaultAt(500, 321)))
        .isInstanceOf(AuditWriteException.class).hasMessageContaining("BOOM");
    assertThat(count(db.dataSource(), "select count(*) from " + store.eventTable())).isZero();
  }

  @DatabaseTest
  void replayAfterTheFaultIsGone_storesTheWholeBatchOnce(TestDatabase db) throws SQLException {
    JdbcAuditStore store = storeWithFault(db);
    List<AuditEvent> batch = batchWithFaultAt(200, 150);
    store.write(batch.subList(0, 100)); // the first half got through before
    assertThatThrownBy(() -> store.write(batch)).isInstanceOf(AuditWriteException.class);
    exec(db.dataSource(), "drop trigger boom" + (db.dialect() == TestDialect.POSTGRESQL ? " on " + store.eventTable() : ""));
    store.write(batch);
    assertThat(count(db.dataSource(), "select count(*) from " + store.eventTable())).isEqualTo(200);
  }
}

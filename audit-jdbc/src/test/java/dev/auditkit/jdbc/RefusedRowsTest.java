package dev.auditkit.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.auditkit.core.AuditEvent;
import dev.auditkit.core.AuditLog;
import dev.auditkit.core.AuditWriteException;
import dev.auditkit.core.Delivery;
import dev.auditkit.jdbc.internal.SqlStates;
import dev.auditkit.testing.DatabaseTest;
import dev.auditkit.testing.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Rows the database refuses for what they hold (here a CHECK constraint a host added) are reported
 * as refused, and an ASYNC AuditLog sets exactly those events aside while the rest is stored and
 * sealed; connection, lock and permission failures are not refusals.
 */
class RefusedRowsTest {

  @DatabaseTest
  void aRefusedRow_failsItsBatchAsRefused_andAsyncDeliverySetsOnlyItAside(TestDatabase db) throws Exception {
    try (JdbcAuditStore store = JdbcAuditStore.builder(db.dataSource()).sealInterval(null).build()) {
      // the months' partitions exist before the constraint (a partition attached later would need it too)
      store.write(List.of(SealingTest.event("org-1", 0),
          AuditEvent.builder().tenantId("org-1").action("good.action").resource("Job", "now").build()));
      try (Connection c = db.connection(); Statement s = c.createStatement()) {
        s.execute("alter table audit_event add constraint test_no_bad check (action <> 'bad.action')");
      }
      AuditEvent bad = AuditEvent.builder().tenantId("org-1").occurredAt(SealingTest.event("org-1", 1).occurredAt())
          .action("bad.action").resource("Job", "j").build();
      assertThatThrownBy(() -> store.write(List.of(SealingTest.event("org-1", 2), bad)))
          .isInstanceOfSatisfying(AuditWriteException.class, e -> assertThat(e.refused()).isTrue());
      assertThat(Chains.count(db, "select count(*) from audit_event")).isEqualTo(2); // all of the batch or nothing

      AuditLog audit = AuditLog.builder().store(store).delivery(Delivery.ASYNC).batchSize(100)
          .retryBackoff(Duration.ofMillis(1), Duration.ofMillis(5)).build();
      List<UUID> refused = new ArrayList<>();
      for (int i = 0; i < 250; i++) {
        boolean isBad = i == 10 || i == 200;
        UUID id = audit.logAction(isBad ? "bad.action" : "good.action", "job", "j-" + i, java.util.Map.of("i", i));
        if (isBad) {
          refused.add(id);
        }
      }
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (audit.health().shipped() < 248 || audit.health().refused() < 2) {
        assertThat(System.nanoTime()).as("248 shipped and 2 refused in time: %s", audit.health()).isLessThan(deadline);
        Thread.sleep(20);
      }
      assertThat(Chains.count(db, "select count(*) from audit_event")).isEqualTo(250);
      for (UUID id : refused) {
        assertThat(store.findById(id)).isEmpty();
      }
      assertThat(audit.health().lastError()).hasValueSatisfying(m -> assertThat(m).contains("refused"));
      store.sealNow();
      assertThat(Chains.assertValid(db).values().stream().mapToInt(List::size).sum()).isEqualTo(250);
      assertThatThrownBy(audit::close).isInstanceOfSatisfying(dev.auditkit.core.UnshippedEventsException.class,
          e -> assertThat(e.oldestIds()).containsExactlyInAnyOrderElementsOf(refused));
    }
  }

  @Test
  void onlyStatesAboutTheRowsThemselvesAreRefusals() {
    assertThat(SqlStates.isRefusal(new SQLException("value too long", "22001"))).isTrue();
    assertThat(SqlStates.isRefusal(new SQLException("check", "23514"))).isTrue();
    assertThat(SqlStates.isRefusal(new SQLException("duplicate", "23505"))).isTrue();
    assertThat(SqlStates.isRefusal(new SQLException("raised by a trigger", "P0001"))).isTrue();
    assertThat(SqlStates.isRefusal(new SQLException("no partition of relation found for row", "23514"))).isFalse();
    assertThat(SqlStates.isRefusal(new SQLException("connection refused", "08001"))).isFalse();
    assertThat(SqlStates.isRefusal(new SQLException("serialization", "40001"))).isFalse();
    assertThat(SqlStates.isRefusal(new SQLException("permission denied", "42501"))).isFalse();
    assertThat(SqlStates.isRefusal(new SQLException("timeout", "HYT00"))).isFalse();
    assertThat(SqlStates.isRefusal(new SQLException("no state"))).isFalse();
    // a server that answers in another language: the routine still names a missing partition
    org.postgresql.util.ServerErrorMessage localized = new org.postgresql.util.ServerErrorMessage(
        "SFEHLER\0C23514\0Mkeine Partition von Relation gefunden\0RExecFindPartition\0");
    assertThat(SqlStates.isRefusal(new org.postgresql.util.PSQLException(localized))).isFalse();
    assertThat(SqlStates.isMissingPartition(new org.postgresql.util.PSQLException(localized))).isTrue();
  }
}

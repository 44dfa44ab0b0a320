package dev.auditkit.jdbc;

import dev.auditkit.core.Actor;
import dev.auditkit.core.AuditEvent;
import dev.auditkit.core.EventKind;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;

/** Small helpers shared by the store tests. */
final class StoreFixtures {
  private StoreFixtures() {}

  static AuditEvent.Builder jobTransition(String jobId) {
    return AuditEvent.builder()
        .tenantId("org-17")
        .actor(Actor.user("u-42").role("dispatcher"))
        .action("JOB_STATUS_CHANGED")
        .kind(EventKind.TRANSITION)
        .resource("Job", jobId)
        .fromState("SCHEDULED").toState("COMPLETED_PENDING_APPROVAL")
        .oldValue(Map.of("status", "SCHEDULED"))
        .newValue(Map.of("status", "COMPLETED_PENDING_APPROVAL"));
  }

  static AuditEvent event() {
    return jobTransition(UUID.randomUUID().toString()).build();
  }

  static long count(DataSource ds, String sql) throws SQLException {
    try (Connection c = ds.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  static void exec(DataSource ds, String sql) throws SQLException {
    try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }
}

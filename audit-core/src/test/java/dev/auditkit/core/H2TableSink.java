package dev.auditkit.core;

import dev.auditkit.core.internal.EventJson;
import dev.auditkit.core.internal.Json;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A plain JDBC sink for the fault tests (until the real store is used): one connection and one
 * transaction per batch, idempotent by event id ({@code MERGE ... KEY(id)}), as every store must be.
 */
final class H2TableSink implements AuditSink {
  private final String url;
  private final long delayMillis;

  H2TableSink(String url, long delayMillis) {
    this.url = url;
    this.delayMillis = delayMillis;
  }

  /**
   * The URL of a database that the H2 server of the test keeps open while its clients come and go.
   * Otherwise the database closes (and compacts its file) when the last client goes away, which
   * for a child JVM killed with SIGKILL happens in the middle of its writes; H2 2.3.232 was seen to
   * corrupt the file doing so (MVStore "Double mark" / "File corrupted while reading"), which lost
   * committed rows or failed every later write. {@link #shutdown} closes it at the end.
   */
  static String keptOpen(String url) {
    return url + ";DB_CLOSE_DELAY=-1";
  }

  /** Closes a database opened with {@link #keptOpen}; quietly, the test's outcome is already known. */
  static void shutdown(String url) {
    try (Connection c = DriverManager.getConnection(url, "sa", ""); Statement s = c.createStatement()) {
      s.execute("shutdown");
    } catch (SQLException ignored) {
      // the server is going away anyway
    }
  }

  static void createTable(String url) throws SQLException {
    try (Connection c = DriverManager.getConnection(url, "sa", ""); Statement s = c.createStatement()) {
      s.execute("create table if not exists audit_event (id uuid primary key, action varchar(200) not null, "
          + "body varchar not null)");
    }
  }

  /** id → how many rows carry it (always 1 with the primary key; the count guards the query). */
  static Map<UUID, Integer> ids(String url) throws SQLException {
    Map<UUID, Integer> ids = new HashMap<>();
    try (Connection c = DriverManager.getConnection(url, "sa", ""); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("select id, count(*) from audit_event group by id")) {
      while (rs.next()) {
        ids.put(rs.getObject(1, UUID.class), rs.getInt(2));
      }
    }
    return ids;
  }

  static long count(String url) throws SQLException {
    try (Connection c = DriverManager.getConnection(url, "sa", ""); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("select count(*) from audit_event")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  @Override
  public void write(List<AuditEvent> events) {
    if (delayMillis > 0) {
      try {
        Thread.sleep(delayMillis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    try (Connection c = DriverManager.getConnection(url, "sa", "")) {
      c.setAutoCommit(false);
      try (PreparedStatement ps = c.prepareStatement("merge into audit_event (id, action, body) key (id) values (?, ?, ?)")) {
        for (AuditEvent e : events) {
          ps.setObject(1, e.id());
          ps.setString(2, e.action());
          ps.setString(3, Json.text(EventJson.toJson(e)));
          ps.addBatch();
        }
        ps.executeBatch();
      }
      c.commit();
    } catch (SQLException e) {
      throw new AuditWriteException("batch of " + events.size() + " not written: " + e.getMessage(), e);
    }
  }
}

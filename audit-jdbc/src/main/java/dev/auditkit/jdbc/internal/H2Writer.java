package dev.auditkit.jdbc.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * H2 writes: a JDBC batch of {@code INSERT ... SELECT ... WHERE NOT EXISTS}. Two transactions
 * inserting the same event at once make the later one fail on the primary key (H2 waits for the
 * first to commit); the batch is then rolled back to a savepoint and written again, now skipping
 * the committed row (likewise after a lock timeout). When many overlapping batches keep colliding,
 * the rows are written one at a time, each under its own savepoint, where a key violation means
 * the row is stored already.
 */
public final class H2Writer implements EventWriter {
  private static final int ATTEMPTS = 5;

  private final String sql;

  public H2Writer(Names names) {
    String table = names.eventTable();
    String values = IntStream.range(0, EventRow.WRITE_COLUMNS.size())
        .mapToObj(i -> EventRow.isJson(i) ? "? format json" : "?").collect(Collectors.joining(", "));
    this.sql = "insert into " + table + " (" + String.join(", ", EventRow.WRITE_COLUMNS) + ") select " + values
        + " where not exists (select 1 from " + table + " where id = ? and occurred_at = ?)";
  }

  @Override
  public void write(Connection c, List<EventRow> rows) throws SQLException {
    for (int attempt = 1; ; attempt++) {
      Savepoint sp = c.getAutoCommit() ? null : c.setSavepoint();
      try {
        insert(c, rows);
        if (sp != null) {
          c.releaseSavepoint(sp);
        }
        return;
      } catch (SQLException e) {
        if (sp != null) {
          c.rollback(sp);
        }
        if (!(SqlStates.isUniqueViolation(e) || SqlStates.isLockConflict(e))) {
          throw e;
        }
        if (attempt == ATTEMPTS) {
          if (sp == null) {
            throw e;
          }
          for (EventRow r : rows) {
            insertOne(c, r);
          }
          return;
        }
      }
    }
  }

  private void insertOne(Connection c, EventRow row) throws SQLException {
    for (int attempt = 1; ; attempt++) {
      Savepoint sp = c.setSavepoint();
      try {
        insert(c, List.of(row));
        c.releaseSavepoint(sp);
        return;
      } catch (SQLException e) {
        c.rollback(sp);
        if (SqlStates.isUniqueViolation(e)) {
          return; // committed by a concurrent writer: stored once, as wanted
        }
        if (!SqlStates.isLockConflict(e) || attempt == ATTEMPTS) {
          throw e;
        }
      }
    }
  }

  private void insert(Connection c, List<EventRow> rows) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      int n = EventRow.WRITE_COLUMNS.size();
      for (EventRow r : rows) {
        for (int i = 0; i < n; i++) {
          if (i == 0) {
            ps.setObject(1, r.id);
          } else if (i == 1) {
            ps.setObject(2, r.occurredAt.atOffset(ZoneOffset.UTC));
          } else if (i == EventRow.EVENT_HASH) {
            ps.setBytes(i + 1, r.eventHash());
          } else {
            ps.setString(i + 1, r.text(i));
          }
        }
        ps.setObject(n + 1, r.id);
        ps.setObject(n + 2, r.occurredAt.atOffset(ZoneOffset.UTC));
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }
}

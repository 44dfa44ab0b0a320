package dev.auditkit.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import org.h2.api.Trigger;

/** Test fault for H2: refuses to insert any event whose action is {@code BOOM}. */
public final class FailingInsertTrigger implements Trigger {
  private int actionColumn = -1;

  @Override
  public void init(Connection conn, String schemaName, String triggerName, String tableName, boolean before, int type)
      throws SQLException {
    try (var rs = conn.getMetaData().getColumns(null, schemaName, tableName, null)) {
      while (rs.next()) {
        if ("ACTION".equalsIgnoreCase(rs.getString("COLUMN_NAME"))) {
          actionColumn = rs.getInt("ORDINAL_POSITION") - 1;
        }
      }
    }
  }

  @Override
  public void fire(Connection conn, Object[] oldRow, Object[] newRow) throws SQLException {
    if ("BOOM".equals(newRow[actionColumn])) {
      throw new SQLException("injected fault: BOOM refused");
    }
  }
}

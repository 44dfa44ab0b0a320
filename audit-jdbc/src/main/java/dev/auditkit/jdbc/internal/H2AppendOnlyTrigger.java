package dev.auditkit.jdbc.internal;

import java.sql.Connection;
import java.sql.SQLException;
import org.h2.api.Trigger;

/** H2 row trigger that refuses every UPDATE and DELETE of audit events. */
public final class H2AppendOnlyTrigger implements Trigger {
  private String table;
  private String operation;

  @Override
  public void init(Connection conn, String schemaName, String triggerName, String tableName, boolean before, int type) {
    // an ALTER TABLE that H2 does by copying (a migration adding a column) inits the trigger on the
    // copy, named TABLE_COPY_n_m, and it keeps that name until the database is opened again
    this.table = schemaName + "." + tableName.replaceFirst("_COPY_\\d+_\\d+$", "");
    this.operation = (type & Trigger.UPDATE) != 0 ? "UPDATE" : (type & Trigger.DELETE) != 0 ? "DELETE" : "change";
  }

  @Override
  public void fire(Connection conn, Object[] oldRow, Object[] newRow) throws SQLException {
    throw new SQLException("auditkit: " + operation + " on " + table + " refused, audit events are append-only",
        "42501");
  }
}

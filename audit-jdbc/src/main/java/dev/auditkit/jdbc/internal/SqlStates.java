package dev.auditkit.jdbc.internal;

import java.sql.SQLException;

/** The SQL states the store reacts to. */
public final class SqlStates {
  public static final String UNIQUE_VIOLATION = "23505";
  public static final String CHECK_VIOLATION = "23514";

  private SqlStates() {}

  public static boolean isUniqueViolation(SQLException e) {
    for (SQLException x = e; x != null; x = x.getNextException()) {
      if (UNIQUE_VIOLATION.equals(x.getSQLState())) {
        return true;
      }
    }
    return false;
  }

  /** H2: lock timeout (HYT00) or deadlock (40001). */
  public static boolean isLockConflict(SQLException e) {
    for (SQLException x = e; x != null; x = x.getNextException()) {
      if ("HYT00".equals(x.getSQLState()) || "40001".equals(x.getSQLState())) {
        return true;
      }
    }
    return false;
  }

  /** PostgreSQL: "no partition of relation ... found for row". */
  public static boolean isMissingPartition(SQLException e) {
    for (SQLException x = e; x != null; x = x.getNextException()) {
      if (CHECK_VIOLATION.equals(x.getSQLState()) && x.getMessage() != null && x.getMessage().contains("no partition")) {
        return true;
      }
    }
    return false;
  }
}

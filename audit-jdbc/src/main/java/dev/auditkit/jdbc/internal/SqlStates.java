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

  /**
   * PostgreSQL: "no partition of relation ... found for row", recognised by the server routine that
   * raises it (so also when the server's messages are not in English), or by its English text.
   */
  public static boolean isMissingPartition(SQLException e) {
    for (SQLException x = e; x != null; x = x.getNextException()) {
      if (CHECK_VIOLATION.equals(x.getSQLState())
          && ("ExecFindPartition".equals(routine(x)) || x.getMessage() != null && x.getMessage().contains("no partition"))) {
        return true;
      }
    }
    return false;
  }

  /** The server routine pgjdbc reports for the error, or null (not pgjdbc's, or none given). */
  private static String routine(SQLException x) {
    try {
      Object message = x.getClass().getMethod("getServerErrorMessage").invoke(x);
      return message == null ? null : (String) message.getClass().getMethod("getRoutine").invoke(message);
    } catch (ReflectiveOperationException | RuntimeException | LinkageError notPgjdbc) {
      return null;
    }
  }

  /**
   * Whether the database refused the rows for what they hold, so writing them again unchanged
   * cannot succeed: a data exception (class 22), an integrity constraint (class 23, but not a
   * missing partition, which the store creates) or an exception raised by a trigger (P0001).
   * Connection, resource, lock and permission problems are not: they may pass.
   */
  public static boolean isRefusal(SQLException e) {
    if (isMissingPartition(e)) {
      return false;
    }
    for (SQLException x = e; x != null; x = x.getNextException()) {
      String state = x.getSQLState();
      if (state != null && (state.startsWith("22") || state.startsWith("23") || state.equals("P0001"))) {
        return true;
      }
    }
    return false;
  }
}

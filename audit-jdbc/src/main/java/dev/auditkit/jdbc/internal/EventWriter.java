package dev.auditkit.jdbc.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/** Writes rows on a connection: inside the caller's transaction ({@link #write}), or in one of its own. */
public interface EventWriter {
  /**
   * Writes every row whose (id, occurred_at) is not stored yet and skips the others. After a
   * failure the caller rolls its transaction back.
   *
   * @param rows distinct by id
   */
  void write(Connection c, List<EventRow> rows) throws SQLException;

  /**
   * Writes like {@link #write} in a transaction of its own and commits it; {@code c} comes in
   * auto-commit mode and leaves in it.
   */
  default void writeCommitted(Connection c, List<EventRow> rows) throws SQLException {
    inTransaction(c, () -> write(c, rows));
  }

  /** Work on a connection that may fail with an SQLException. */
  @FunctionalInterface
  interface SqlWork {
    void run() throws SQLException;
  }

  /**
   * Runs {@code work} in a transaction of its own on {@code c} (in auto-commit mode before and
   * after) and commits it, or rolls it back and rethrows.
   */
  static void inTransaction(Connection c, SqlWork work) throws SQLException {
    c.setAutoCommit(false);
    try {
      work.run();
      c.commit();
    } catch (Throwable e) { // also on an Error: switching auto-commit back on would commit the partial work
      try {
        c.rollback();
      } catch (SQLException rollback) {
        e.addSuppressed(rollback);
      }
      throw e;
    } finally {
      c.setAutoCommit(true);
    }
  }
}

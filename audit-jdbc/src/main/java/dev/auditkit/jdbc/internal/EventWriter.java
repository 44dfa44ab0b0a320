package dev.auditkit.jdbc.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/** Writes rows on a connection the caller owns, inside the caller's transaction, never committing. */
public interface EventWriter {
  /**
   * Writes every row whose (id, occurred_at) is not stored yet and skips the others. After a
   * failure the caller rolls its transaction back.
   *
   * @param rows distinct by id
   */
  void write(Connection c, List<EventRow> rows) throws SQLException;
}

package dev.auditkit.jdbc.internal;

import dev.auditkit.core.Seal;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * The seal rows of one PostgreSQL sealing pass, written as they are made: by one {@code COPY} that
 * starts with the first seal and is streamed in chunks (so the database stores the first seals while
 * the sealer still reads events), or, on a connection that is not pgjdbc's, by one INSERT of arrays
 * at the end. {@link #finish} completes the write; {@link #abort} cancels it after a failure.
 */
final class SealRows {
  private final Connection connection;
  private final String table;
  private final boolean copy;
  private CopyIn in;
  private final StringBuilder sb = new StringBuilder(PgWriter.COPY_CHUNK + 1024);
  private final List<Object[]> collected = new ArrayList<>();
  private int count;

  SealRows(Connection connection, String table) throws SQLException {
    this.connection = connection;
    this.table = table;
    this.copy = connection.isWrapperFor(PGConnection.class);
  }

  int count() {
    return count;
  }

  void add(Seal s, UUID eventId, Instant occurredAt) throws SQLException {
    count++;
    if (!copy) {
      collected.add(new Object[] {s.chainId(), s.sequence(), eventId, occurredAt.atOffset(ZoneOffset.UTC).toString(),
          s.previousHash(), s.hash()});
      return;
    }
    PgWriter.escape(s.chainId(), sb);
    sb.append('\t').append(s.sequence()).append('\t').append(eventId).append('\t');
    PgWriter.appendTime(occurredAt, sb);
    sb.append('\t').append(s.previousHash()).append('\t').append(s.hash()).append('\n');
    if (sb.length() >= PgWriter.COPY_CHUNK) {
      send();
    }
  }

  private void send() throws SQLException {
    if (in == null) {
      in = connection.unwrap(PGConnection.class).getCopyAPI().copyIn("copy " + table
          + " (chain_id, seq, event_id, occurred_at, prev_hash, hash) from stdin");
    }
    byte[] b = sb.toString().getBytes(StandardCharsets.UTF_8);
    in.writeToCopy(b, 0, b.length);
    sb.setLength(0);
  }

  /** Writes what is left and completes the statement; the pass's transaction commits it. */
  void finish() throws SQLException {
    if (count == 0) {
      return;
    }
    if (copy) {
      if (sb.length() > 0) {
        send();
      }
      in.endCopy();
      return;
    }
    int n = collected.size();
    Object[][] columns = new Object[6][n];
    for (int i = 0; i < n; i++) {
      for (int col = 0; col < 6; col++) {
        columns[col][i] = collected.get(i)[col];
      }
    }
    try (PreparedStatement ps = connection.prepareStatement("insert into " + table
        + " (chain_id, seq, event_id, occurred_at, prev_hash, hash)"
        + " select * from unnest(?::text[], ?::bigint[], ?::uuid[], ?::timestamptz[], ?::text[], ?::text[])")) {
      String[] types = {"text", "int8", "uuid", "timestamptz", "text", "text"};
      for (int col = 0; col < 6; col++) {
        ps.setArray(col + 1, connection.createArrayOf(types[col], columns[col]));
      }
      ps.executeUpdate();
    }
  }

  /** Cancels a COPY in progress (the transaction rolls back anyway; the connection must be usable). */
  void abort(Throwable cause) {
    if (in != null && in.isActive()) {
      try {
        in.cancelCopy();
      } catch (SQLException e) {
        cause.addSuppressed(e);
      }
    }
  }
}

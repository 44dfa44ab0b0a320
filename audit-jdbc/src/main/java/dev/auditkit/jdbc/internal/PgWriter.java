package dev.auditkit.jdbc.internal;

import dev.auditkit.core.internal.UtcTimes;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Collectors;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * PostgreSQL writes. Batches of {@link #COPY_MIN_ROWS} or more go through {@code COPY} straight into
 * the event table (the fastest path, see IngestBenchmark); if a row is already there (a replay), the
 * COPY fails as a whole, is rolled back (to a savepoint inside a host's transaction), and the batch
 * is written again with multi-row {@code INSERT ... ON CONFLICT DO NOTHING}, which is also the path
 * for small batches.
 *
 * <p>COPY data is streamed in chunks of {@link #COPY_CHUNK} bytes as the rows are serialised, so
 * that the server parses and indexes the first rows while this thread serialises the next: on two
 * cores the cost of a batch is close to the larger of the two, not their sum.
 */
public final class PgWriter implements EventWriter {
  /** Below this many rows a multi-row INSERT is as fast as COPY and needs no savepoint. */
  public static final int COPY_MIN_ROWS = 16;
  /** Rows per INSERT statement (29 parameters each, well below the protocol's 32767). */
  public static final int INSERT_ROWS = 200;
  /** Bytes of COPY text handed to the driver at a time. */
  public static final int COPY_CHUNK = 32 * 1024;


  private final String table;
  private final String copySql;
  private final boolean useCopy;

  public PgWriter(Names names) {
    this(names.eventTable(), true);
  }

  /** For benchmarks: {@code useCopy=false} writes every batch with multi-row INSERT. */
  public PgWriter(String table, boolean useCopy) {
    this.table = table;
    this.copySql = "copy " + table + " (" + String.join(", ", EventRow.WRITE_COLUMNS) + ") from stdin";
    this.useCopy = useCopy;
  }

  @Override
  public void write(Connection c, List<EventRow> rows) throws SQLException {
    // COPY needs the driver's own connection; a pool or proxy that cannot unwrap to it gets INSERTs
    if (!useCopy || rows.size() < COPY_MIN_ROWS || !c.isWrapperFor(PGConnection.class)) {
      insert(c, rows);
      return;
    }
    Savepoint sp = c.getAutoCommit() ? null : c.setSavepoint();
    try {
      copy(c, rows);
      if (sp != null) {
        c.releaseSavepoint(sp);
      }
      return;
    } catch (SQLException | RuntimeException e) {
      // rows are serialised while they stream, so a failure may also come from making a row
      if (sp != null) {
        try {
          c.rollback(sp); // keeps the caller's transaction usable, and the original error visible
        } catch (SQLException rollback) {
          e.addSuppressed(rollback);
        }
      }
      if (!(e instanceof SQLException sql) || !SqlStates.isUniqueViolation(sql)) {
        throw e;
      }
    }
    insert(c, rows);
  }

  /**
   * Writes in a transaction of its own and commits. {@code c} is in auto-commit mode: a COPY is then
   * a transaction by itself, and the INSERT fallback gets one.
   */
  @Override
  public void writeCommitted(Connection c, List<EventRow> rows) throws SQLException {
    if (useCopy && rows.size() >= COPY_MIN_ROWS && c.isWrapperFor(PGConnection.class)) {
      try {
        copy(c, rows);
        return;
      } catch (SQLException e) {
        if (!SqlStates.isUniqueViolation(e)) {
          throw e;
        }
      }
      // some rows are stored already (a replay): the INSERT path, which skips them, in a transaction
      EventWriter.inTransaction(c, () -> insert(c, rows));
      return;
    }
    EventWriter.super.writeCommitted(c, rows);
  }

  /** COPY of every row, streamed as it is serialised; fails as a whole on any conflict. */
  public void copy(Connection c, List<EventRow> rows) throws SQLException {
    CopyIn in = c.unwrap(PGConnection.class).getCopyAPI().copyIn(copySql);
    try {
      StringBuilder sb = new StringBuilder(COPY_CHUNK + 4096);
      for (EventRow r : rows) {
        appendLine(r, sb);
        if (sb.length() >= COPY_CHUNK) {
          send(in, sb);
        }
      }
      send(in, sb);
      in.endCopy();
    } catch (SQLException | RuntimeException e) {
      if (in.isActive()) {
        try {
          in.cancelCopy(); // the server discards the partial COPY
        } catch (SQLException cancel) {
          e.addSuppressed(cancel);
        }
      }
      throw e;
    }
  }

  private static void send(CopyIn in, StringBuilder sb) throws SQLException {
    if (sb.length() > 0) {
      byte[] b = sb.toString().getBytes(StandardCharsets.UTF_8);
      in.writeToCopy(b, 0, b.length);
      sb.setLength(0);
    }
  }

  /** The rows in COPY's text format, as one array (for benchmarks' pre-serialised baselines). */
  public static byte[] copyText(List<EventRow> rows) {
    StringBuilder sb = new StringBuilder(rows.size() * 900);
    for (EventRow r : rows) {
      appendLine(r, sb);
    }
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** Appends {@code r} as one line of COPY text, in {@link EventRow#WRITE_COLUMNS} order, newline included. */
  public static void appendLine(EventRow r, StringBuilder sb) {
    String[] text = r.texts();
    for (int i = 0; i < text.length; i++) {
      if (i > 0) {
        sb.append('\t');
      }
      if (i == 1) {
        appendTime(r.occurredAt, sb);
        continue;
      }
      String v = text[i];
      if (v == null) {
        sb.append("\\N");
      } else {
        escape(v, sb);
      }
    }
    sb.append('\n');
  }

  /** Appends {@code t} as {@code uuuu-MM-dd HH:mm:ss.SSSSSS+00} (EventRow keeps times in years 1 to 9999). */
  static void appendTime(Instant t, StringBuilder sb) {
    UtcTimes.append(t, ' ', "+00", sb);
  }

  /** Appends {@code v} escaped for COPY's text format; runs without special characters are copied whole. */
  static void escape(String v, StringBuilder sb) {
    int run = 0;
    int n = v.length();
    for (int i = 0; i < n; i++) {
      char ch = v.charAt(i);
      if (ch > '\\' || (ch != '\\' && ch != '\n' && ch != '\r' && ch != '\t')) {
        continue;
      }
      sb.append(v, run, i).append('\\').append(switch (ch) {
        case '\n' -> 'n';
        case '\r' -> 'r';
        case '\t' -> 't';
        default -> '\\';
      });
      run = i + 1;
    }
    sb.append(v, run, n);
  }

  /** Multi-row INSERT ... ON CONFLICT DO NOTHING, {@link #INSERT_ROWS} rows per statement. */
  public void insert(Connection c, List<EventRow> rows) throws SQLException {
    for (int from = 0; from < rows.size(); from += INSERT_ROWS) {
      List<EventRow> chunk = rows.subList(from, Math.min(rows.size(), from + INSERT_ROWS));
      try (PreparedStatement ps = c.prepareStatement(insertSql(chunk.size()))) {
        int p = 1;
        for (EventRow r : chunk) {
          for (int i = 0; i < EventRow.WRITE_COLUMNS.size(); i++) {
            if (i == 1) {
              ps.setObject(p++, r.occurredAt.atOffset(ZoneOffset.UTC));
            } else {
              ps.setString(p++, r.text(i));
            }
          }
        }
        ps.executeUpdate();
      }
    }
  }

  private String insertSql(int rowCount) {
    String row = "(" + java.util.stream.IntStream.range(0, EventRow.WRITE_COLUMNS.size())
        .mapToObj(PgWriter::placeholder).collect(Collectors.joining(", ")) + ")";
    StringBuilder sb = new StringBuilder("insert into ").append(table).append(" (")
        .append(String.join(", ", EventRow.WRITE_COLUMNS)).append(") values ");
    for (int i = 0; i < rowCount; i++) {
      sb.append(i == 0 ? "" : ", ").append(row);
    }
    return sb.append(" on conflict do nothing").toString();
  }

  private static String placeholder(int column) {
    if (column == 0) {
      return "?::uuid";
    }
    if (column == EventRow.IP) {
      return "?::inet";
    }
    if (column == EventRow.EVENT_HASH) {
      return "?::bytea"; // hex input, "\\x..."
    }
    return EventRow.isJson(column) ? "?::jsonb" : "?";
  }
}

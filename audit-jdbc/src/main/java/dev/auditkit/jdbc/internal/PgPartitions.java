package dev.auditkit.jdbc.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;

/**
 * Makes sure the monthly partition of every event exists before the event is inserted, so that an
 * insert never fails for a missing month. Months already seen are remembered; a missing one is
 * created by the schema's {@code ensure_partition} function on a separate, short transaction — never
 * on the host's — and the partitions of the next {@link #AHEAD_MONTHS} months are kept ready.
 */
public final class PgPartitions {
  /** Months after the current one whose partitions are created ahead of need. */
  public static final int AHEAD_MONTHS = 3;

  private final DataSource dataSource;
  private final String function;
  private final Clock clock;
  private final Set<YearMonth> known = ConcurrentHashMap.newKeySet();

  public PgPartitions(DataSource dataSource, Names names, Clock clock) {
    this.dataSource = dataSource;
    this.function = names.ensurePartitionFunction();
    this.clock = clock;
  }

  /** Ensures the months of these times, plus the current month and the ones ahead. */
  public void ensure(Collection<Instant> times) throws SQLException {
    Set<YearMonth> missing = new TreeSet<>();
    for (Instant t : times) {
      YearMonth m = YearMonth.from(t.atOffset(ZoneOffset.UTC));
      if (!known.contains(m)) {
        missing.add(m);
      }
    }
    YearMonth now = YearMonth.now(clock.withZone(ZoneOffset.UTC));
    for (int i = 0; i <= AHEAD_MONTHS; i++) {
      if (!known.contains(now.plusMonths(i))) {
        missing.add(now.plusMonths(i));
      }
    }
    if (missing.isEmpty()) {
      return;
    }
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(true);
      try (Statement s = c.createStatement()) {
        // never wait long behind a lock: better a clear error than a stuck writer
        s.execute("set lock_timeout = '10s'");
      }
      try (PreparedStatement ps = c.prepareStatement("select " + function + "(?)")) {
        for (YearMonth m : missing) {
          ps.setObject(1, m.atDay(1).atStartOfDay().atOffset(ZoneOffset.UTC));
          ps.executeQuery().close();
          known.add(m);
        }
      } finally {
        try (Statement s = c.createStatement()) {
          s.execute("reset lock_timeout");
        }
      }
    }
  }

  /** Forgets what was seen, after partitions were dropped (retention) or a write found one missing. */
  public void forget() {
    known.clear();
  }
}

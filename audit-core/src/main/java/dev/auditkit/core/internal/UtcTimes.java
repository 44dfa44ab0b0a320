package dev.auditkit.core.internal;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * Writes a UTC time with microseconds, {@code uuuu-MM-dd<sep>HH:mm:ss.SSSSSS<suffix>}, by hand: a
 * DateTimeFormatter costs more than the rest of a journal record or COPY row. Years 0 to 9999.
 */
public final class UtcTimes {
  private UtcTimes() {}

  /**
   * Whether an event may hold {@code t}: years 1 to 9999 in UTC, the times every store and the
   * canonical encoding hold. One definition for building events, storing them and verify.
   */
  public static boolean holdsEventTime(Instant t) {
    return !t.isBefore(EARLIEST_EVENT) && !t.isAfter(LATEST_EVENT);
  }

  /** Whether {@link #append} can write {@code t} (years 0 to 9999). */
  public static boolean fits(Instant t) {
    return t.getEpochSecond() >= MIN_SECOND && t.getEpochSecond() <= MAX_SECOND;
  }

  /** Appends {@code t}; the caller checked {@link #fits}. */
  public static StringBuilder append(Instant t, char separator, String suffix, StringBuilder sb) {
    LocalDateTime d = LocalDateTime.ofEpochSecond(t.getEpochSecond(), 0, ZoneOffset.UTC);
    digits(sb, d.getYear(), 4).append('-');
    digits(sb, d.getMonthValue(), 2).append('-');
    digits(sb, d.getDayOfMonth(), 2).append(separator);
    digits(sb, d.getHour(), 2).append(':');
    digits(sb, d.getMinute(), 2).append(':');
    digits(sb, d.getSecond(), 2).append('.');
    return digits(sb, t.getNano() / 1000, 6).append(suffix);
  }

  private static final Instant EARLIEST_EVENT = Instant.parse("0001-01-01T00:00:00Z");
  private static final Instant LATEST_EVENT = Instant.parse("9999-12-31T23:59:59.999999Z");
  private static final long MIN_SECOND = Instant.parse("0000-01-01T00:00:00Z").getEpochSecond();
  private static final long MAX_SECOND = Instant.parse("9999-12-31T23:59:59Z").getEpochSecond();
  private static final int[] POW10 = {1, 10, 100, 1_000, 10_000, 100_000};

  private static StringBuilder digits(StringBuilder sb, int value, int width) {
    for (int p = width - 1; p >= 0; p--) {
      sb.append((char) ('0' + (value / POW10[p]) % 10));
    }
    return sb;
  }
}

package dev.auditkit.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The hand-written COPY time format agrees with java.time's over the whole storable range. */
class PgWriterTimeTest {
  private static final DateTimeFormatter REFERENCE =
      DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss.SSSSSS'+00'").withZone(ZoneOffset.UTC);

  @Test
  void appendTime_matchesTheReferenceFormat() {
    List<Instant> edges = List.of(Instant.parse("0001-01-01T00:00:00Z"), Instant.parse("9999-12-31T23:59:59.999999Z"),
        Instant.parse("1970-01-01T00:00:00Z"), Instant.parse("1969-12-31T23:59:59.000001Z"),
        Instant.parse("2024-02-29T12:34:56.100000Z"), Instant.parse("0999-09-09T09:09:09.090909Z"));
    SplittableRandom random = new SplittableRandom(7);
    long min = edges.get(0).getEpochSecond();
    long max = edges.get(1).getEpochSecond();
    for (int i = 0; i < 20_000 + edges.size(); i++) {
      Instant t = i < edges.size() ? edges.get(i)
          : Instant.ofEpochSecond(random.nextLong(min, max), random.nextInt(1_000_000_000)).truncatedTo(ChronoUnit.MICROS);
      StringBuilder sb = new StringBuilder();
      PgWriter.appendTime(t, sb);
      assertThat(sb.toString()).as("%s", t).isEqualTo(REFERENCE.format(t));
    }
  }
}

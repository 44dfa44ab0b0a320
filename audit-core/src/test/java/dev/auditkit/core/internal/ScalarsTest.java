package dev.auditkit.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ScalarsTest {
  @Test
  void utc_isExactlyInstantToString_forRandomAndEdgeInstants() {
    Random r = new Random(1L);
    for (int i = 0; i < 20_000; i++) {
      long sec = r.nextLong() % 400_000_000_000L;
      int nano = switch (i % 4) {
        case 0 -> 0;
        case 1 -> r.nextInt(1000) * 1_000_000;
        case 2 -> r.nextInt(1_000_000) * 1_000;
        default -> r.nextInt(1_000_000_000);
      };
      Instant t = Instant.ofEpochSecond(sec, nano);
      assertThat(Scalars.utc(t)).as("%s", t).isEqualTo(t.toString());
    }
    for (Instant t : new Instant[] {Instant.EPOCH, Instant.MIN, Instant.MAX, Instant.parse("0000-01-01T00:00:00Z"),
        Instant.parse("9999-12-31T23:59:59.999999999Z"), Instant.parse("-0001-12-31T23:59:59Z"), Instant.ofEpochSecond(-1)}) {
      assertThat(Scalars.utc(t)).isEqualTo(t.toString());
    }
  }

  @Test
  void parseInstant_acceptsOffsetsOnly_andRejectsJunk() {
    assertThat(Scalars.parseInstant("2026-01-01T02:00:00+02:00")).isEqualTo(Instant.parse("2026-01-01T00:00:00Z"));
    assertThat(Scalars.parseInstant("2026-01-01T00:00:00")).isNull();
    assertThat(Scalars.parseInstant("2026-13-01T00:00:00Z")).isNull();
    assertThat(Scalars.parseInstant("not a time at all, no")).isNull();
    assertThat(Scalars.parseInstant(null)).isNull();
  }
}

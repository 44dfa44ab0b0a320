package dev.auditkit.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.auditkit.core.JournalDurability;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * A payload longer than a journal record may be (only {@code AuditLimits.unlimited()} lets such an
 * event through) would be written, acknowledged, and then read back as damage: it is refused, so
 * the caller keeps the event in memory, and the journal goes on.
 */
class JournalRecordLimitTest {
  @TempDir Path dir;

  @ParameterizedTest
  @EnumSource(JournalDurability.class)
  void aPayloadLongerThanARecordMayBe_isRefused_andTheJournalGoesOn(JournalDurability durability) {
    List<String> errors = new CopyOnWriteArrayList<>();
    Journal j = Journal.open(dir, durability, 1 << 20, (m, e) -> errors.add(m));
    try {
      assertThat(j.append(1, new byte[JournalRecord.MAX_PAYLOAD + 1])).isNull();
      assertThat(errors).singleElement().satisfies(m -> assertThat(m).contains("longer than a journal record"));
      assertThat(j.bytes()).isEqualTo(JournalRecord.SEGMENT_HEADER);
      assertThat(j.append(2, new byte[] {'{', '}'})).isNotNull();
      assertThat(j.degraded()).isFalse();
    } finally {
      j.close();
    }
  }
}

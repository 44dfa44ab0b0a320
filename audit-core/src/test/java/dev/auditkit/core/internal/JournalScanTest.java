package dev.auditkit.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class JournalScanTest {

  private static byte[] segment(List<String> payloads) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(ByteBuffer.allocate(8).putLong(JournalRecord.SEGMENT_MAGIC).array());
    long t = 1_700_000_000_000L;
    for (String p : payloads) {
      ByteBuffer r = JournalRecord.encode(t++, p.getBytes(StandardCharsets.UTF_8));
      out.write(r.array(), 0, r.remaining());
    }
    return out.toByteArray();
  }

  private static List<String> payloads(JournalScan scan) {
    List<String> out = new ArrayList<>();
    scan.entries().forEach(e -> out.add(new String(e.payload(), StandardCharsets.UTF_8)));
    return out;
  }

  private static final List<String> RECORDS = List.of("{\"a\":1}", "{\"b\":\"two\"}", "", "{\"c\":[1,2,3]}", "x".repeat(300));

  @Test
  void readsBackEveryRecordWithItsAcceptedTime() {
    JournalScan scan = JournalScan.of(segment(RECORDS));
    assertThat(payloads(scan)).containsExactlyElementsOf(RECORDS);
    assertThat(scan.entries().get(1).acceptedAt()).isEqualTo(1_700_000_000_001L);
    assertThat(scan.damaged()).isFalse();
  }

  @Test
  void cutAtAnyByte_yieldsTheWholeRecordsBeforeTheCut_andReportsATail() {
    byte[] full = segment(RECORDS);
    for (int len = 0; len < full.length; len++) {
      JournalScan scan = JournalScan.of(Arrays.copyOf(full, len));
      List<String> got = payloads(scan);
      assertThat(RECORDS.subList(0, got.size())).as("cut at %d", len).isEqualTo(got);
      int whole = 8;
      int n = 0;
      for (String r : RECORDS) {
        if (whole + 20 + r.length() > len) {
          break;
        }
        whole += 20 + r.length();
        n++;
      }
      assertThat(got).as("cut at %d", len).hasSize(n);
      boolean expectTail = len > 0 && len != whole;
      assertThat(scan.damages().stream().anyMatch(JournalScan.Damage::tail)).as("cut at %d", len).isEqualTo(expectTail);
    }
  }

  /** The same records in a segment written through a mapping (its own header). */
  private static byte[] mappedSegment(List<String> payloads) {
    byte[] s = segment(payloads);
    ByteBuffer.wrap(s).putLong(0, JournalRecord.SEGMENT_MAGIC_MAPPED);
    return s;
  }

  @Test
  void zerosAfterTheLastRecordOfAMappedSegment_areItsUnwrittenRest_notDamage() {
    byte[] full = mappedSegment(RECORDS);
    JournalScan scan = JournalScan.of(Arrays.copyOf(full, full.length + 300_000));
    assertThat(payloads(scan)).containsExactlyElementsOf(RECORDS);
    assertThat(scan.damaged()).isFalse();
  }

  @Test
  void zerosAfterTheLastRecordOfAWrittenSegment_areATornTail() {
    byte[] full = segment(RECORDS); // write(2) segments are never reserved ahead
    JournalScan scan = JournalScan.of(Arrays.copyOf(full, full.length + 4096));
    assertThat(payloads(scan)).containsExactlyElementsOf(RECORDS);
    assertThat(scan.damages()).singleElement().satisfies(d -> assertThat(d.tail()).isTrue());
  }

  @Test
  void aTornRecordFollowedByZeros_isATornTail() {
    byte[] full = mappedSegment(RECORDS);
    for (int cut : new int[] {1, 7, 20, 25}) {
      byte[] torn = Arrays.copyOf(full, full.length + 4096);
      Arrays.fill(torn, full.length - cut, torn.length, (byte) 0); // the last record only partly written
      JournalScan scan = JournalScan.of(torn);
      assertThat(payloads(scan)).as("cut %d", cut).containsExactlyElementsOf(RECORDS.subList(0, RECORDS.size() - 1));
      assertThat(scan.damages()).as("cut %d", cut).singleElement().satisfies(d -> assertThat(d.tail()).isTrue());
    }
  }

  @Test
  void randomlyFlippedBytes_neverThrow_andNeverInventRecords() {
    byte[] full = segment(RECORDS);
    Random random = new Random(42);
    for (int round = 0; round < 2000; round++) {
      byte[] broken = full.clone();
      int flips = 1 + random.nextInt(4);
      for (int i = 0; i < flips; i++) {
        broken[8 + random.nextInt(broken.length - 8)] ^= (byte) (1 + random.nextInt(255));
      }
      JournalScan scan = JournalScan.of(broken);
      assertThat(RECORDS).containsAll(payloads(scan));
      assertThat(scan.damaged()).isTrue();
    }
  }

  @Test
  void aDamagedHeader_losesNoRecord() {
    byte[] data = segment(RECORDS);
    data[0] ^= 1;
    JournalScan scan = JournalScan.of(data);
    assertThat(scan.badHeader()).isTrue();
    assertThat(scan.damaged()).isTrue();
    assertThat(payloads(scan)).containsExactlyElementsOf(RECORDS);
    assertThat(scan.damages()).containsExactly(new JournalScan.Damage(0, JournalRecord.SEGMENT_HEADER, false));
  }

  @Test
  void aFileWithoutAValidRecordOrHeader_isNotASegment() {
    byte[] data = "not a journal at all, nor anything like one".getBytes(StandardCharsets.UTF_8);
    JournalScan scan = JournalScan.of(data);
    assertThat(scan.badHeader()).isTrue();
    assertThat(scan.entries()).isEmpty();
    assertThat(scan.damages()).containsExactly(new JournalScan.Damage(0, data.length, true));
  }

  @Test
  void aHugeLengthField_isTakenForDamage_notAnAllocation() {
    byte[] data = segment(RECORDS);
    ByteBuffer.wrap(data).putInt(8 + 4, Integer.MAX_VALUE);
    JournalScan scan = JournalScan.of(data);
    assertThat(payloads(scan)).containsExactlyElementsOf(RECORDS.subList(1, RECORDS.size()));
    assertThat(scan.damages()).singleElement().satisfies(d -> assertThat(d.tail()).isFalse());
  }
}

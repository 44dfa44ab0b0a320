package dev.auditkit.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.auditkit.core.JournalDurability;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Reading spilled records back ({@link Journal#readSpilled}): records of any size, however they fall
 * on the read window; a record failing its checksum is skipped alone; a damaged stretch over
 * several records is counted exactly once its segment is read to the end; a segment whose file is
 * gone is given up. Every appended record ends up either read back or counted lost, and the segment
 * is acknowledged for exactly those.
 */
class SpilledReadTest {
  @TempDir Path dir;
  private final AtomicLong lost = new AtomicLong();
  private final List<String> errors = new ArrayList<>();

  private Journal open(JournalDurability durability, long segmentBytes) {
    return Journal.open(dir, durability, segmentBytes, (m, e) -> errors.add(m));
  }

  private static byte[] payload(int size, int seed) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }

  /** Appends each payload with a queue that is always full: every record is spilled. */
  private static List<Journal.Appended> spill(Journal j, List<byte[]> payloads) {
    List<Journal.Appended> out = new ArrayList<>();
    for (int i = 0; i < payloads.size(); i++) {
      Journal.Appended a = j.append(1_000L + i, payloads.get(i), seg -> false);
      assertThat(a.spilled()).isTrue();
      out.add(a);
    }
    return out;
  }

  /** Reads everything back, acknowledging each record read as the writer would once it is shipped. */
  private List<byte[]> readAll(Journal j, int max) throws IOException {
    List<byte[]> read = new ArrayList<>();
    Journal.Spilled s;
    while ((s = j.readSpilled(max, lost::addAndGet)) != null) {
      s.entries().forEach(e -> read.add(e.payload()));
      s.segment().shipped(s.entries().size());
    }
    return read;
  }

  private List<Path> files(String suffix) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().endsWith(suffix)).sorted().toList();
    }
  }

  @ParameterizedTest
  @EnumSource(JournalDurability.class)
  void recordsOfAnySize_readBackWhole_whereverTheyFallOnTheWindow(JournalDurability durability) throws IOException {
    // batch 10: a 64 KiB window; the second record's header starts 10 bytes before its end, and the
    // records after it are larger than any window
    List<byte[]> payloads = List.of(payload(65_506, 1), payload(2 << 20, 2), payload(100, 3), payload(100, 4),
        payload((1 << 20) - 10, 5), payload(3 << 20, 6), payload(7, 7));
    Journal j = open(durability, 64L << 20);
    spill(j, payloads);
    assertThat(j.spillCounts().unread()).isEqualTo(payloads.size());
    List<byte[]> read = readAll(j, 10);
    assertThat(read).hasSize(payloads.size());
    for (int i = 0; i < payloads.size(); i++) {
      assertThat(Arrays.equals(read.get(i), payloads.get(i))).as("record %d", i).isTrue();
    }
    assertThat(lost).hasValue(0);
    assertThat(errors).isEmpty();
    assertThat(j.spilling()).isFalse();
    j.append(2_000L, payload(10, 8), seg -> true).segment().shipped(1); // queued again, and shipped
    j.close();
    assertThat(files(".journal")).as("everything acknowledged: removed").isEmpty();
  }

  @ParameterizedTest
  @EnumSource(JournalDurability.class)
  void aRecordFailingItsChecksum_isSkippedAlone_evenBeforeALargeOne(JournalDurability durability) throws IOException {
    List<byte[]> payloads = List.of(payload(600_000, 1), payload(600_000, 2), payload(50, 3));
    Journal j = open(durability, 64L << 20);
    List<Journal.Appended> at = spill(j, payloads);
    long firstRecord = JournalRecord.SEGMENT_HEADER;
    corrupt(at.get(0).segment().file(), firstRecord + JournalRecord.HEADER + 1000);
    List<byte[]> read = readAll(j, 1);
    assertThat(read).hasSize(2);
    assertThat(Arrays.equals(read.get(0), payloads.get(1))).isTrue();
    assertThat(Arrays.equals(read.get(1), payloads.get(2))).isTrue();
    assertThat(lost).hasValue(1);
    assertThat(errors).singleElement().satisfies(m -> assertThat(m).contains("failing its checksum")
        .contains("offset " + firstRecord));
    j.close();
    assertThat(files(".journal")).isEmpty();
    assertThat(files(".corrupt")).as("kept for inspection once shipped").hasSize(1);
  }

  @ParameterizedTest
  @EnumSource(JournalDurability.class)
  void aDamagedStretchOverTwoRecords_countsBoth_onceTheSegmentIsReadToItsEnd(JournalDurability durability)
      throws IOException {
    List<byte[]> payloads = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      payloads.add(payload(300, i));
    }
    Journal j = open(durability, 64L << 20);
    List<Journal.Appended> at = spill(j, payloads);
    Path file = at.get(0).segment().file();
    long second = JournalRecord.SEGMENT_HEADER + JournalRecord.HEADER + 300L;
    long third = second + JournalRecord.HEADER + 300;
    corrupt(file, second); // the magic of records 1 and 2: their lengths cannot be trusted
    corrupt(file, third);
    List<byte[]> read = readAll(j, 100);
    assertThat(read).hasSize(4);
    assertThat(Arrays.equals(read.get(1), payloads.get(3))).isTrue();
    assertThat(lost).hasValue(2);
    assertThat(j.spillCounts().unread()).isZero();
    j.close();
    assertThat(files(".journal")).isEmpty();
    assertThat(files(".corrupt")).hasSize(1);
  }

  @ParameterizedTest
  @EnumSource(JournalDurability.class)
  void aSpilledSegmentWhoseFileIsGone_isGivenUp_andTheNextOnesStillReadBack(JournalDurability durability)
      throws IOException {
    List<byte[]> payloads = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      payloads.add(payload(200, i));
    }
    Journal j = open(durability, 4096);
    List<Journal.Appended> at = spill(j, payloads);
    Path first = at.get(0).segment().file();
    long inFirst = at.stream().filter(a -> a.segment().file().equals(first)).count();
    Files.delete(first);
    assertThatThrownBy(() -> j.readSpilled(10, lost::addAndGet)).isInstanceOf(NoSuchFileException.class);
    j.abandonSpilledSegment(lost::addAndGet);
    assertThat(lost).hasValue(inFirst);
    assertThat(errors).anySatisfy(m -> assertThat(m).contains("cannot be read back"));
    List<byte[]> read = readAll(j, 10);
    assertThat(read).hasSize(payloads.size() - (int) inFirst);
    assertThat(Arrays.equals(read.get(0), payloads.get((int) inFirst))).isTrue();
    assertThat(j.spillCounts().unread()).isZero();
    j.close();
    assertThat(files(".journal")).isEmpty();
    assertThat(j.bytes()).as("the gone file no longer counts against the capacity").isZero();
  }

  /** The checksum does not cover the length: a damaged length must not swallow the records after it. */
  @ParameterizedTest
  @EnumSource(JournalDurability.class)
  void aDamagedLengthField_losesOnlyItsRecord(JournalDurability durability) throws IOException {
    List<byte[]> payloads = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      payloads.add(payload(200, i));
    }
    Journal j = open(durability, 64L << 20);
    List<Journal.Appended> at = spill(j, payloads);
    long second = JournalRecord.SEGMENT_HEADER + JournalRecord.HEADER + 200L;
    try (FileChannel ch = FileChannel.open(at.get(0).segment().file(), StandardOpenOption.WRITE)) {
      // record 1 now claims 200 + 660 bytes: it still ends before the last record does
      ch.write(ByteBuffer.allocate(4).putInt(0, 860), second + 4);
    }
    List<byte[]> read = readAll(j, 100);
    assertThat(read).hasSize(7);
    assertThat(Arrays.equals(read.get(1), payloads.get(2))).isTrue();
    assertThat(lost).hasValue(1);
    j.close();
    assertThat(files(".journal")).isEmpty();
    assertThat(files(".corrupt")).hasSize(1);
  }

  private static void corrupt(Path file, long offset) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(new byte[] {(byte) 0xDE, (byte) 0xAD}), offset);
    }
  }
}

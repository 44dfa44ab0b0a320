package dev.auditkit.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.auditkit.core.JournalDurability;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A PROCESS_CRASH journal appends through a memory mapping reserved ahead with zeros: what a killed
 * process leaves (the file as the page cache holds it, zeros after the last record) reads back
 * whole and undamaged; a closed segment has no zero tail; records larger than a window and records
 * that cross from one window into the next come back byte for byte.
 */
class MappedJournalTest {
  @TempDir Path dir;

  private static List<byte[]> payloads() {
    Random r = new Random(3);
    List<byte[]> out = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      int size = i == 150 ? MappedAppender.WINDOW + 12_345 : 1 + r.nextInt(3_000); // one bigger than a window
      byte[] p = new byte[size];
      r.nextBytes(p);
      out.add(p);
    }
    return out;
  }

  private Path segment() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".journal")).findFirst().orElseThrow();
    }
  }

  private static void assertSame(JournalScan scan, List<byte[]> payloads) {
    assertThat(scan.damaged()).isFalse();
    assertThat(scan.entries()).hasSize(payloads.size());
    for (int i = 0; i < payloads.size(); i++) {
      assertThat(scan.entries().get(i).payload()).as("record %d", i).isEqualTo(payloads.get(i));
      assertThat(scan.entries().get(i).acceptedAt()).isEqualTo(1_000L + i);
    }
  }

  @org.junit.jupiter.api.BeforeEach
  void mappableFileSystem() {
    org.junit.jupiter.api.Assumptions.assumeTrue(MappedAppender.suits(dir),
        "segments are written through a mapping only on ext2/3/4, XFS and tmpfs");
  }

  @Test
  void whatAKilledProcessLeaves_readsBackWhole_andAClosedSegmentHasNoZeroTail() throws IOException {
    List<byte[]> payloads = payloads();
    long used = JournalRecord.SEGMENT_HEADER;
    Journal j = Journal.open(dir, JournalDurability.PROCESS_CRASH, 64L * 1024 * 1024, (m, e) -> {});
    try {
      for (int i = 0; i < payloads.size(); i++) {
        assertThat(j.append(1_000L + i, payloads.get(i))).isNotNull();
        used += JournalRecord.HEADER + payloads.get(i).length;
      }
      // the process stops here without closing: the file holds the records and the reserved zeros
      byte[] asLeft = Files.readAllBytes(segment());
      assertThat(java.nio.ByteBuffer.wrap(asLeft).getLong(0)).isEqualTo(JournalRecord.SEGMENT_MAGIC_MAPPED);
      assertThat(asLeft.length).isGreaterThan((int) used);
      assertThat(Arrays.copyOfRange(asLeft, (int) used, asLeft.length)).containsOnly((byte) 0);
      assertSame(JournalScan.of(asLeft), payloads);
      assertThat(j.bytes()).isEqualTo(used);
    } finally {
      j.close();
    }
    assertThat(Files.size(segment())).isEqualTo(used);
    assertSame(JournalScan.of(Files.readAllBytes(segment())), payloads);
  }

  @Test
  void segmentsRollAtTheirSize_andEachReadsBackWhole() throws IOException {
    List<byte[]> payloads = payloads().subList(0, 100);
    Journal j = Journal.open(dir, JournalDurability.PROCESS_CRASH, 20_000, (m, e) -> {});
    for (int i = 0; i < payloads.size(); i++) {
      j.append(1_000L + i, payloads.get(i));
    }
    j.close();
    List<byte[]> read = new ArrayList<>();
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : s.filter(f -> f.getFileName().toString().endsWith(".journal")).sorted().toList()) {
        JournalScan scan = JournalScan.of(Files.readAllBytes(p));
        assertThat(scan.damaged()).as(p.toString()).isFalse();
        scan.entries().forEach(e -> read.add(e.payload()));
      }
    }
    assertThat(read).hasSize(payloads.size());
    for (int i = 0; i < payloads.size(); i++) {
      assertThat(read.get(i)).isEqualTo(payloads.get(i));
    }
  }
}

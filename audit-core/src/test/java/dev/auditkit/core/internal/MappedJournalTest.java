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

  private MappedAppender lastAppender;

  /** Appends {@code payloads} through an appender whose next windows {@code mapper} prepares; returns the file as left. */
  private byte[] appendAll(List<byte[]> payloads, java.util.concurrent.Executor mapper, Runnable between) throws IOException {
    Path f = dir.resolve("direct.journal");
    try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(f, java.nio.file.StandardOpenOption.CREATE_NEW,
        java.nio.file.StandardOpenOption.READ, java.nio.file.StandardOpenOption.WRITE)) {
      ch.write(java.nio.ByteBuffer.allocate(JournalRecord.SEGMENT_HEADER).putLong(0, JournalRecord.SEGMENT_MAGIC_MAPPED));
      MappedAppender a = new MappedAppender(ch, JournalRecord.SEGMENT_HEADER, mapper);
      lastAppender = a;
      long pos = JournalRecord.SEGMENT_HEADER;
      for (int i = 0; i < payloads.size(); i++) {
        byte[] p = payloads.get(i);
        a.append(pos, 1_000L + i, p, JournalRecord.crc(1_000L + i, p, 0, p.length));
        pos += JournalRecord.HEADER + p.length;
        between.run();
      }
      byte[] asLeft = Files.readAllBytes(f); // what a killed process leaves
      a.close(pos);
      assertThat(Files.size(f)).isEqualTo(pos);
      return asLeft;
    }
  }

  private static List<byte[]> manyPayloads() {
    Random r = new Random(11);
    List<byte[]> out = new ArrayList<>();
    for (int i = 0; i < 3_000; i++) {
      int size = switch (i % 500) {
        case 100 -> MappedAppender.WINDOW / 2 + 7; // larger than what is left of most windows
        case 200 -> MappedAppender.WINDOW + 3; // larger than a prepared window
        case 300 -> MappedAppender.WINDOW - JournalRecord.HEADER; // exactly one window
        default -> 1 + r.nextInt(3_000);
      };
      byte[] p = new byte[size];
      r.nextBytes(p);
      out.add(p);
    }
    return out;
  }

  @Test
  void recordsCrossingIntoAWindowPreparedAhead_readBackWhole() throws IOException {
    List<byte[]> payloads = manyPayloads();
    // tasks run at once: every next window is ready before it is needed, so records split across two
    assertSame(JournalScan.of(appendAll(payloads, Runnable::run, () -> {})), payloads);
    long[] stats = lastAppender.appendStats();
    assertThat(stats[0]).as("windows taken ready").isGreaterThan(10);
    assertThat(stats[1]).as("records written in two parts").isGreaterThan(10);
  }

  @Test
  void windowsPreparedLate_orNever_orForAPositionLeftBehind_corruptNothing() throws IOException {
    List<byte[]> payloads = manyPayloads();
    List<Runnable> queued = new ArrayList<>();
    Random r = new Random(5);
    // tasks run in bursts at random moments: some windows are ready in time, some are mapped by the
    // appending thread, and tasks for windows it already passed run afterwards (they must not touch the file)
    byte[] left = appendAll(payloads, queued::add, () -> {
      if (r.nextInt(40) == 0) {
        List<Runnable> now = new ArrayList<>(queued);
        queued.clear();
        java.util.Collections.shuffle(now, r);
        now.forEach(Runnable::run);
      }
    });
    assertSame(JournalScan.of(left), payloads);
  }

  @Test
  void concurrentAppenders_withTheMapperThread_loseAndDamageNothing() throws Exception {
    Journal j = Journal.open(dir, JournalDurability.PROCESS_CRASH, 64L * 1024 * 1024, (m, e) -> {});
    int threads = 4;
    int each = 5_000;
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
    try {
      List<java.util.concurrent.Future<?>> fs = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int id = t;
        fs.add(pool.submit(() -> {
          Random r = new Random(id);
          for (int i = 0; i < each; i++) {
            byte[] p = new byte[8 + r.nextInt(1_500)];
            r.nextBytes(p);
            java.nio.ByteBuffer.wrap(p).putInt(0, id).putInt(4, i);
            assertThat(j.append(1_000L, p)).isNotNull();
          }
          return null;
        }));
      }
      for (java.util.concurrent.Future<?> f : fs) {
        f.get();
      }
      JournalScan live = JournalScan.of(Files.readAllBytes(segment())); // as a killed process leaves it
      assertThat(live.damaged()).isFalse();
      assertThat(live.entries()).hasSize(threads * each);
    } finally {
      pool.shutdown();
      j.close();
    }
    JournalScan scan = JournalScan.of(Files.readAllBytes(segment()));
    assertThat(scan.damaged()).isFalse();
    int[] next = new int[threads];
    for (JournalScan.Entry e : scan.entries()) {
      java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(e.payload());
      int id = b.getInt(0);
      assertThat(b.getInt(4)).as("thread %d's records in order", id).isEqualTo(next[id]++);
    }
    assertThat(next).containsOnly(each);
  }
}

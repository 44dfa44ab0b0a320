package dev.auditkit.core.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the records of one stretch of a segment file one after another, through a window of the
 * file (so a stretch of any length costs bounded memory) that is read again wherever a record does
 * not fit in it, whatever its size. Used to read spilled records back while the segment may still
 * be appended to: only bytes below {@code end}, which the journal knows to be whole records, are
 * read.
 *
 * <p>A record whose checksum fails is one bad record when the next valid record starts right
 * after it (by its length). Otherwise, and wherever a header is damaged, lengths cannot be trusted:
 * the reader resumes at the next offset where a whole valid record starts, not knowing how many
 * records the stretch held.
 */
final class SegmentReader {
  /** What one call read: the valid records, where the next call starts, and what was skipped. */
  record Result(List<JournalScan.Entry> entries, long next, int badRecords, List<String> damage) {
    /** Whether a stretch of unknown record count was skipped (the caller reconciles counts later). */
    boolean damaged() {
      return !damage.isEmpty();
    }
  }

  private final FileChannel channel;
  private final Path file;
  private final long end;
  private final int windowBytes;
  private long windowStart;
  private ByteBuffer window = ByteBuffer.allocate(0);

  private SegmentReader(FileChannel channel, Path file, long end, int windowBytes) {
    this.channel = channel;
    this.file = file;
    this.end = end;
    this.windowBytes = windowBytes;
  }

  /**
   * Reads up to {@code max} valid records from {@code from}, stopping at {@code end}.
   *
   * @throws IOException when the file cannot be opened or read
   */
  static Result read(Path file, long from, long end, int max, int windowBytes) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      return read(ch, file, from, end, max, windowBytes);
    }
  }

  /** As {@link #read(Path, long, long, int, int)}, through a channel the caller keeps open. */
  static Result read(FileChannel ch, Path file, long from, long end, int max, int windowBytes) throws IOException {
    return new SegmentReader(ch, file, end, windowBytes).read(from, max);
  }

  private Result read(long from, int max) throws IOException {
    List<JournalScan.Entry> entries = new ArrayList<>();
    List<String> damage = new ArrayList<>();
    int bad = 0;
    long pos = from;
    while (entries.size() < max && pos < end) {
      if (!covers(pos, JournalRecord.HEADER)) {
        damage.add(describe(pos, end, "a record header cut off by the end of what was written"));
        pos = end;
        break;
      }
      int at = (int) (pos - windowStart);
      int length = window.getInt(at + 4);
      boolean soundHeader = window.getInt(at) == JournalRecord.MAGIC && length >= 0
          && length <= JournalRecord.MAX_PAYLOAD && pos + JournalRecord.HEADER + length <= end;
      if (soundHeader) {
        covers(pos, JournalRecord.HEADER + length);
        JournalScan.Entry e = JournalScan.recordAt(window, (int) (pos - windowStart), pos);
        if (e != null) {
          entries.add(e);
          pos += JournalRecord.HEADER + length;
          continue;
        }
        // the checksum does not cover the length: only when a valid record (or the end) follows
        // right after it is this one record; otherwise the length is damaged too
        long after = pos + JournalRecord.HEADER + length;
        long next = nextValid(pos + 1);
        if (next == after) {
          bad++;
          damage.add(describe(pos, after, "a record failing its checksum"));
        } else {
          damage.add(describe(pos, next, "not a valid record"));
        }
        pos = next;
        continue;
      }
      long next = nextValid(pos + 1);
      damage.add(describe(pos, next, "not a valid record"));
      pos = next;
    }
    return new Result(entries, pos, bad, damage);
  }

  /** The first offset after {@code from} where a whole valid record starts, or {@code end}. */
  private long nextValid(long from) throws IOException {
    for (long p = from; p + JournalRecord.HEADER <= end; p++) {
      covers(p, JournalRecord.HEADER);
      int at = (int) (p - windowStart);
      if (window.getInt(at) != JournalRecord.MAGIC) {
        continue;
      }
      int length = window.getInt(at + 4);
      if (length < 0 || length > JournalRecord.MAX_PAYLOAD || p + JournalRecord.HEADER + length > end) {
        continue;
      }
      covers(p, JournalRecord.HEADER + length);
      if (JournalScan.recordAt(window, (int) (p - windowStart), p) != null) {
        return p;
      }
    }
    return end;
  }

  /**
   * Makes the window hold {@code [p, p + n)}, reading a fresh one from {@code p} when it does not;
   * false when that range goes past {@code end}.
   */
  private boolean covers(long p, int n) throws IOException {
    if (p + n > end) {
      return false;
    }
    if (p >= windowStart && p + n <= windowStart + window.limit()) {
      return true;
    }
    int size = (int) Math.min(end - p, Math.max(windowBytes, n));
    ByteBuffer buf = ByteBuffer.allocate(size);
    while (buf.hasRemaining()) {
      if (channel.read(buf, p + buf.position()) < 0) {
        throw new IOException("journal segment " + file + " ends before offset " + (p + size));
      }
    }
    buf.flip();
    window = buf;
    windowStart = p;
    return true;
  }

  private String describe(long from, long to, String what) {
    return "journal segment " + file + ": " + (to - from) + " bytes at offset " + from + " are " + what
        + " while reading spilled events back; skipped";
  }
}

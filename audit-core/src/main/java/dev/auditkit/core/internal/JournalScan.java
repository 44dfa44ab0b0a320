package dev.auditkit.core.internal;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The records read back from one segment file, and what had to be skipped. A record is accepted
 * only when its magic, length and checksum all match; after a bad spot the scan resumes at the next
 * offset where a whole valid record starts, so one damaged record never hides the ones after it.
 * In a segment written through a mapping ({@link JournalRecord#SEGMENT_MAGIC_MAPPED}), zeros from
 * some offset to the end are not damage: such a segment is reserved ahead with zeros, and a process
 * that stops without closing it leaves them. In any other segment they are a torn tail.
 */
public final class JournalScan {
  /** A valid record: where it is, when it was accepted, and its payload. */
  public record Entry(long offset, long acceptedAt, byte[] payload) {}

  /** A skipped range of the file. {@code tail} when nothing valid follows it. */
  public record Damage(long offset, long length, boolean tail) {}

  private final List<Entry> entries;
  private final List<Damage> damages;
  private final boolean badHeader;

  private JournalScan(List<Entry> entries, List<Damage> damages, boolean badHeader) {
    this.entries = entries;
    this.damages = damages;
    this.badHeader = badHeader;
  }

  public List<Entry> entries() {
    return entries;
  }

  public List<Damage> damages() {
    return damages;
  }

  /**
   * The file does not start with the segment magic: a damaged segment (its valid records are in
   * {@link #entries()}, the header counts as damage) or, with no valid record, not a segment at all.
   */
  public boolean badHeader() {
    return badHeader;
  }

  public boolean damaged() {
    return badHeader || !damages.isEmpty();
  }

  public static JournalScan of(byte[] file) {
    List<Entry> entries = new ArrayList<>();
    List<Damage> damages = new ArrayList<>();
    if (file.length < JournalRecord.SEGMENT_HEADER) {
      if (file.length > 0) {
        damages.add(new Damage(0, file.length, true));
      }
      return new JournalScan(entries, damages, false);
    }
    ByteBuffer buf = ByteBuffer.wrap(file);
    boolean mapped = buf.getLong(0) == JournalRecord.SEGMENT_MAGIC_MAPPED;
    boolean badHeader = buf.getLong(0) != JournalRecord.SEGMENT_MAGIC && !mapped;
    if (badHeader) {
      // records carry their own magic and checksum: a damaged header (a flipped bit) loses no record
      damages.add(new Damage(0, JournalRecord.SEGMENT_HEADER, false));
    }
    int pos = JournalRecord.SEGMENT_HEADER;
    while (pos < file.length) {
      Entry e = recordAt(buf, pos, pos);
      if (e != null) {
        entries.add(e);
        pos += JournalRecord.HEADER + e.payload().length;
        continue;
      }
      if (mapped && zeroFrom(file, pos)) {
        break; // the rest of a segment that was reserved ahead (MappedAppender) and not yet written
      }
      int next = nextValid(buf, pos + 1);
      damages.add(new Damage(pos, (next < 0 ? file.length : next) - pos, next < 0));
      if (next < 0) {
        break;
      }
      pos = next;
    }
    if (badHeader && entries.isEmpty()) {
      return new JournalScan(entries, List.of(new Damage(0, file.length, true)), true); // not a segment at all
    }
    return new JournalScan(entries, damages, badHeader);
  }

  private static boolean zeroFrom(byte[] file, int from) {
    for (int i = from; i < file.length; i++) {
      if (file[i] != 0) {
        return false;
      }
    }
    return true;
  }

  /** The next index from {@code from} where a whole valid record starts, or -1. */
  static int nextValid(ByteBuffer buf, int from) {
    for (int p = from; p + JournalRecord.HEADER <= buf.limit(); p++) {
      if (buf.getInt(p) == JournalRecord.MAGIC && recordAt(buf, p, p) != null) {
        return p;
      }
    }
    return -1;
  }

  /** The valid record at index {@code pos} of {@code buf} (array-backed), or null; {@code offset} is its place in the file. */
  static Entry recordAt(ByteBuffer buf, int pos, long offset) {
    if (buf.limit() - pos < JournalRecord.HEADER || buf.getInt(pos) != JournalRecord.MAGIC) {
      return null;
    }
    int length = buf.getInt(pos + 4);
    if (length < 0 || length > JournalRecord.MAX_PAYLOAD || length > buf.limit() - pos - JournalRecord.HEADER) {
      return null;
    }
    int crc = buf.getInt(pos + 8);
    long acceptedAt = buf.getLong(pos + 12);
    int start = pos + JournalRecord.HEADER;
    if (JournalRecord.crc(acceptedAt, buf.array(), start, length) != crc) {
      return null;
    }
    byte[] payload = new byte[length];
    System.arraycopy(buf.array(), start, payload, 0, length);
    return new Entry(offset, acceptedAt, payload);
  }
}

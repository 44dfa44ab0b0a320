package dev.auditkit.core.internal;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * The on-disk form of one journal record, all integers big-endian:
 *
 * <pre>
 *   int   magic      0x414B5231 ("AKR1")
 *   int   length     of the payload in bytes
 *   int   crc        CRC32C of acceptedAt and payload
 *   long  acceptedAt epoch milliseconds when AuditLog accepted the event
 *   byte[length]     payload: the event in {@link EventJson} form, UTF-8
 * </pre>
 *
 * A segment file starts with {@link #SEGMENT_MAGIC} (or {@link #SEGMENT_MAGIC_MAPPED}) and then
 * holds records back to back.
 */
public final class JournalRecord {
  public static final long SEGMENT_MAGIC = 0x414B4A524E4C3031L; // "AKJRNL01"
  /**
   * A segment written through a memory mapping ({@code MappedAppender}): the same records, but the
   * file is reserved ahead with zeros, so zeros after the last record are its unwritten rest.
   */
  public static final long SEGMENT_MAGIC_MAPPED = 0x414B4A524E4C3032L; // "AKJRNL02"
  public static final int SEGMENT_HEADER = 8;
  public static final int MAGIC = 0x414B5231;
  public static final int HEADER = 20;
  /** Longer payloads are taken for a corrupt length field. */
  public static final int MAX_PAYLOAD = 64 * 1024 * 1024;

  private JournalRecord() {}

  public static ByteBuffer encode(long acceptedAt, byte[] payload) {
    return encode(acceptedAt, payload, crc(acceptedAt, payload, 0, payload.length));
  }

  /** The whole record in a buffer of its own, with its {@code crc} computed by the caller. */
  static ByteBuffer encode(long acceptedAt, byte[] payload, int crc) {
    ByteBuffer buf = ByteBuffer.allocate(HEADER + payload.length);
    put(buf, 0, acceptedAt, payload, crc);
    return buf;
  }

  /**
   * Writes the record at {@code index} of {@code buf} (absolute puts; the position is not moved),
   * with its {@code crc} computed by the caller (outside any lock).
   */
  static void put(ByteBuffer buf, int index, long acceptedAt, byte[] payload, int crc) {
    buf.putInt(index, MAGIC).putInt(index + 4, payload.length).putInt(index + 8, crc).putLong(index + 12, acceptedAt)
        .put(index + HEADER, payload);
  }

  public static int crc(long acceptedAt, byte[] data, int offset, int length) {
    CRC32C crc = new CRC32C();
    ByteBuffer ts = ByteBuffer.allocate(8).putLong(0, acceptedAt);
    crc.update(ts);
    crc.update(data, offset, length);
    return (int) crc.getValue();
  }
}

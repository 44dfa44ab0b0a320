package dev.auditkit.core.internal;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * Appends journal records to a segment file through a shared memory mapping, so that an append at
 * {@code PROCESS_CRASH} is a copy into the page cache with no system call: the kernel writes the
 * pages back even when the process is killed right after.
 *
 * <p>The file is reserved ahead in windows of {@link #WINDOW} bytes by writing zeros, so every
 * mapped page has its disk blocks before it is touched: a full disk is an {@link IOException} from
 * that write (the journal then degrades as for any failed write), never a fault inside a mapped
 * store. The window's pages are also touched once when it is mapped, so appends take no page faults.
 * Such segments carry their own header ({@link JournalRecord#SEGMENT_MAGIC_MAPPED}), whose zero
 * tail readers accept ({@link JournalScan}); {@link #close} cuts it off.
 *
 * <p>Only on file systems where written zeros own their blocks (see {@link #suits}): on
 * copy-on-write or compressing ones (btrfs, ZFS) a store into a mapped page may still need new
 * space and fault on a full disk, so those keep {@code write(2)}. What remains is a fault for
 * reasons outside the journal: its file truncated by someone else, or a disk read error while a
 * page of the current window is read back in. HotSpot reports such a fault as an
 * {@code InternalError}; from interpreted code at once (the journal then degrades as for a failed
 * write), from compiled code at the thread's next safepoint poll, which may be after the append
 * returned. docs/architecture.md weighs this.
 */
final class MappedAppender {
  /** Reserved and mapped at a time: a few hundred records of a typical size. */
  static final int WINDOW = 256 * 1024;
  private static final int PAGE = 4096;
  private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(64 * 1024).asReadOnlyBuffer();
  private static final MethodHandle UNMAP = unmapper();
  private static final Set<String> SUITED = Set.of("ext2", "ext3", "ext4", "xfs", "tmpfs");

  private final FileChannel channel;
  private MappedByteBuffer window;
  /** File position of the window's first byte. */
  private long windowStart;
  /** Length of the file: written as zeros up to here. */
  private long reserved;

  MappedAppender(FileChannel channel, long length) {
    this.channel = channel;
    this.reserved = length;
  }

  /** Whether segments in {@code dir} may be written through a mapping: ext2/3/4, XFS and tmpfs. */
  static boolean suits(Path dir) {
    try {
      return SUITED.contains(Files.getFileStore(dir).type());
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /** Writes one record at file position {@code position}, the end of what was appended so far. */
  void append(long position, long acceptedAt, byte[] payload, int crc) throws IOException {
    int n = JournalRecord.HEADER + payload.length;
    if (window == null || position + n > windowStart + window.capacity()) {
      remap(position, n);
    }
    JournalRecord.put(window, (int) (position - windowStart), acceptedAt, payload, crc);
  }

  private void remap(long position, int n) throws IOException {
    long size = Math.max(WINDOW, n);
    reserve(position + size);
    unmap();
    window = channel.map(FileChannel.MapMode.READ_WRITE, position, size);
    windowStart = position;
    for (int p = 0; p < size; p += PAGE) {
      window.put(p, (byte) 0); // zeros over zeros: the page is mapped writable now, not at an append
    }
    window.put((int) size - 1, (byte) 0); // the last page too when the window does not start on one
  }

  private void reserve(long end) throws IOException {
    while (reserved < end) {
      ByteBuffer z = ZEROS.duplicate();
      z.limit((int) Math.min(z.capacity(), end - reserved));
      reserved += channel.write(z, reserved);
    }
  }

  /** Unmaps and cuts the file to {@code length}, the end of the last whole record. */
  void close(long length) throws IOException {
    unmap();
    if (reserved > length) {
      channel.truncate(length);
      reserved = length;
    }
  }

  /**
   * Releases the mapping now rather than when it is garbage collected: a removed segment's disk
   * space is only freed once nothing maps it. Without the JDK's unsupported cleaner hook the
   * collector does it later.
   */
  private void unmap() {
    MappedByteBuffer w = window;
    window = null;
    if (w != null && UNMAP != null) {
      try {
        UNMAP.invokeExact((ByteBuffer) w);
      } catch (Throwable e) {
        // left to the garbage collector
      }
    }
  }

  private static MethodHandle unmapper() {
    try {
      Class<?> unsafe = Class.forName("sun.misc.Unsafe");
      Field f = unsafe.getDeclaredField("theUnsafe");
      f.setAccessible(true);
      return MethodHandles.lookup()
          .findVirtual(unsafe, "invokeCleaner", MethodType.methodType(void.class, ByteBuffer.class))
          .bindTo(f.get(null));
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }
}

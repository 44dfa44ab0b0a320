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
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Appends journal records to a segment file through a shared memory mapping, so that an append at
 * {@code PROCESS_CRASH} is a copy into the page cache with no system call: the kernel writes the
 * pages back even when the process is killed right after.
 *
 * <p>The file is reserved ahead in windows of {@link #WINDOW} bytes by writing zeros, so every
 * mapped page has its disk blocks before it is touched: a full disk is an {@link IOException} from
 * that write (the journal then degrades as for any failed write), never a fault inside a mapped
 * store. The window's pages are also touched once when it is mapped, so appends take no page faults.
 * That work (a few hundred microseconds a window) is done ahead on the journal's mapper thread while
 * appends fill the current window, so an append that crosses into the next one only takes it; when
 * it is not ready, or a record does not fit in it, the appending thread maps one itself.
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
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(MappedAppender.class);
  /** Reserved and mapped at a time: a few hundred records of a typical size. */
  static final int WINDOW = 256 * 1024;
  private static final int PAGE = 4096;
  private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(64 * 1024).asReadOnlyBuffer();
  private static final MethodHandle UNMAP = unmapper();
  private static final Set<String> SUITED = Set.of("ext2", "ext3", "ext4", "xfs", "tmpfs");

  private final FileChannel channel;
  /** Prepares the next window and unmaps retired ones off the appending thread; null: appends do it. */
  private final Executor mapper;
  // used by the appending thread only (under the journal's append lock)
  private MappedByteBuffer window;
  /** File position of the window's first byte. */
  private long windowStart;
  // guarded by this: the file's length and the window prepared ahead, shared with the mapper thread
  /** Length of the file: written as zeros up to here. */
  private long reserved;
  private MappedByteBuffer ahead;
  private long aheadStart;
  /** Where the next window starts (the current one's end): a task preparing another one is stale. */
  private long wanted = -1;
  private boolean closed;
  private int prepareFailures;
  // what the appending thread did, for tests: windows it took ready, records it wrote in two parts
  private long takenAhead;
  private long splitRecords;

  MappedAppender(FileChannel channel, long length, Executor mapper) {
    this.channel = channel;
    this.reserved = length;
    this.mapper = mapper;
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
    long end = window == null ? -1 : windowStart + window.capacity();
    if (position + n <= end) {
      JournalRecord.put(window, (int) (position - windowStart), acceptedAt, payload, crc);
      return;
    }
    MappedByteBuffer old = window;
    MappedByteBuffer next = null;
    window = null;
    try {
      next = old == null || position > end ? null : takeAhead(end, position + n);
      if (next != null) {
        takenAhead++;
        if (position < end) { // the record starts in this window and ends in the next: written in two parts
          ByteBuffer record = JournalRecord.encode(acceptedAt, payload, crc); // once a window, at most
          int first = (int) (end - position);
          old.put((int) (position - windowStart), record.array(), 0, first);
          next.put(0, record.array(), first, n - first);
          splitRecords++;
        } else {
          JournalRecord.put(next, 0, acceptedAt, payload, crc);
        }
        window = next;
        windowStart = end;
      } else {
        MappedByteBuffer w = mapHere(position, Math.max(WINDOW, n));
        JournalRecord.put(w, 0, acceptedAt, payload, crc);
        window = w;
        windowStart = position;
      }
    } catch (IOException | RuntimeException | Error e) {
      unmap(old);
      unmap(next); // taken, but not made the window: nobody else would release it
      throw e;
    }
    long nextStart = windowStart + window.capacity();
    if (mapper == null || !submit(() -> {
      unmap(old);
      prepare(nextStart);
    })) {
      unmap(old);
    }
  }

  /** The window prepared ahead when it starts at {@code start} and reaches {@code upTo}, else null. */
  private synchronized MappedByteBuffer takeAhead(long start, long upTo) {
    MappedByteBuffer w = ahead;
    if (w == null || aheadStart != start || upTo > start + w.capacity()) {
      return null;
    }
    ahead = null;
    wanted = start + w.capacity();
    return w;
  }

  /**
   * On the appending thread, when the window prepared ahead is not ready or too small: maps one at
   * {@code position}, the end of what was appended, and tells a task still preparing the old next
   * window that it is stale (that window would overlap this one).
   */
  private synchronized MappedByteBuffer mapHere(long position, long size) throws IOException {
    unmap(ahead);
    ahead = null;
    wanted = position + size;
    return map(position, size);
  }

  private boolean submit(Runnable task) {
    try {
      mapper.execute(task);
      return true;
    } catch (RejectedExecutionException e) {
      return false; // the journal is closing
    } catch (OutOfMemoryError e) {
      return false; // no thread could be started for it: appends map their windows themselves
    }
  }

  /**
   * On the mapper thread: reserves and maps the window that starts where the current one ends.
   * Nothing is appended there until the appending thread takes it, so touching its pages with
   * zeros overwrites nothing.
   */
  private synchronized void prepare(long start) {
    if (closed || start != wanted) {
      return; // the journal moved on: this window is no longer the next one
    }
    try {
      MappedByteBuffer w = map(start, WINDOW);
      unmap(ahead);
      ahead = w;
      aheadStart = start;
    } catch (IOException | RuntimeException | InternalError e) {
      // a full disk, a fault: the appending thread maps the window itself and meets the error there;
      // said once a segment, so that a mapper that always fails does not go unnoticed
      if (prepareFailures++ == 0) {
        LOG.warn("auditkit: the journal could not prepare its next window ahead ({}); appends map their own", e.toString());
      }
    }
  }

  /** Windows the appending thread found prepared, and records it wrote across two of them (for tests). */
  long[] appendStats() {
    return new long[] {takenAhead, splitRecords};
  }

  /** Reserves the file up to the window's end with zeros, maps it, and touches every page once. */
  private MappedByteBuffer map(long start, long size) throws IOException {
    reserve(start + size);
    MappedByteBuffer w = channel.map(FileChannel.MapMode.READ_WRITE, start, size);
    try {
      for (int p = 0; p < size; p += PAGE) {
        w.put(p, (byte) 0); // zeros over zeros: the page is mapped writable now, not at an append
      }
      w.put((int) size - 1, (byte) 0); // the last page too when the window does not start on one
    } catch (RuntimeException | InternalError e) {
      unmap(w);
      throw e;
    }
    return w;
  }

  private void reserve(long end) throws IOException {
    while (reserved < end) {
      ByteBuffer z = ZEROS.duplicate();
      z.limit((int) Math.min(z.capacity(), end - reserved));
      reserved += channel.write(z, reserved);
    }
  }

  /** Unmaps and cuts the file to {@code length}, the end of the last whole record. */
  synchronized void close(long length) throws IOException {
    closed = true;
    MappedByteBuffer w = window;
    window = null;
    unmap(w);
    unmap(ahead);
    ahead = null;
    if (reserved > length && channel.isOpen()) { // (closed by an interrupt: the journal cut it already)
      channel.truncate(length);
      reserved = length;
    }
  }

  /**
   * Releases the mapping now rather than when it is garbage collected: a removed segment's disk
   * space is only freed once nothing maps it. Without the JDK's unsupported cleaner hook the
   * collector does it later.
   */
  private static void unmap(MappedByteBuffer w) {
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

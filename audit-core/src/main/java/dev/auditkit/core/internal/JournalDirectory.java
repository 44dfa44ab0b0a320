package dev.auditkit.core.internal;

import dev.auditkit.core.JournalLockedException;
import java.io.IOException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.LongConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The directory of a {@link Journal}: segment files {@code segment-<n>.journal} numbered in the
 * order they were made, guarded by a lock file that one {@code AuditLog} at a time holds. It takes
 * and gives back the lock, scans the segments an earlier run left, names new segments, syncs the
 * directory itself, and writes a segment deleted while in use back from its open file.
 *
 * <p>Problems that leave the journal usable in part (a directory that cannot be written or
 * listed) go to the {@code degrade} callback; another holder of the lock is an exception. Not
 * thread-safe: the journal calls it while opening, and later under its append lock.
 */
final class JournalDirectory {
  private static final Logger LOG = LoggerFactory.getLogger(JournalDirectory.class);
  static final String LOCK_FILE = "journal.lock";
  private static final Pattern SEGMENT = Pattern.compile("segment-(\\d{20})\\.journal");
  /** A damaged segment kept for inspection: its number is not used again (it would be replaced). */
  private static final Pattern KEPT = Pattern.compile("segment-(\\d{20})\\.journal\\.corrupt");

  /**
   * What {@link #scan} found: the segments still to ship, those without a valid record (to remove
   * once their bytes are counted), records skipped as damaged, and the bytes of all of them.
   */
  record Found(List<Journal.Recovered> recovered, List<JournalSegment> empty, long corruptRecords, long bytes) {}

  private final Path dir;
  private FileChannel lockChannel;
  private FileLock lock;
  private long nextSequence;

  JournalDirectory(Path dir) {
    this.dir = dir;
  }

  Path path() {
    return dir;
  }

  /** The directory, or its nearest existing parent (for the file system it is on). */
  Path existing() {
    Path p = dir;
    while (p != null && !Files.exists(p)) {
      p = p.getParent();
    }
    return p == null ? dir : p;
  }

  /**
   * Makes the directory if needed and takes its lock: an exclusive one, or a shared one when the
   * directory cannot be written (read-only: what is there can still be replayed).
   *
   * @throws JournalLockedException when another AuditLog, in this JVM or another process, holds it
   */
  void lock(BiConsumer<String, Throwable> degrade) {
    Path lockFile = dir.resolve(LOCK_FILE);
    boolean writable = true;
    try {
      Files.createDirectories(dir);
      lockChannel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    } catch (IOException e) {
      writable = false;
      degrade.accept("journal directory " + dir + " cannot be written (" + e + ")", e);
    }
    try {
      if (lockChannel == null && Files.exists(lockFile)) {
        lockChannel = FileChannel.open(lockFile, StandardOpenOption.READ);
      }
      if (lockChannel != null) {
        lock = lockChannel.tryLock(0, Long.MAX_VALUE, !writable);
        if (lock == null) {
          lockChannel.close();
          throw new JournalLockedException("audit journal " + dir + " is in use by another process (lock on "
              + lockFile + " is held); each AuditLog needs its own journal directory");
        }
      }
    } catch (OverlappingFileLockException e) {
      closeQuietly(lockChannel);
      throw new JournalLockedException("audit journal " + dir + " is already used by another AuditLog in this JVM; "
          + "each AuditLog needs its own journal directory");
    } catch (IOException e) {
      degrade.accept("journal lock file " + lockFile + " cannot be locked (" + e + ")", e);
    }
  }

  /**
   * Reads every segment an earlier run left: damage is reported to {@code errors} (and logged),
   * segments with valid records are returned to be shipped again. New segments are numbered after all of them, and after
   * every segment kept as {@code .corrupt}.
   *
   * @param removed given the bytes of each segment removed later (the journal's size)
   */
  Found scan(BiConsumer<String, Throwable> errors, BiConsumer<String, Throwable> degrade, LongConsumer removed) {
    List<Path> files = new ArrayList<>();
    try (Stream<Path> s = Files.list(dir)) {
      s.forEach(p -> {
        String name = p.getFileName().toString();
        Matcher kept = KEPT.matcher(name);
        if (kept.matches()) {
          nextSequence = Math.max(nextSequence, Long.parseLong(kept.group(1)) + 1);
        } else if (SEGMENT.matcher(name).matches()) {
          files.add(p);
        }
      });
      Collections.sort(files);
    } catch (NoSuchFileException e) {
      return new Found(List.of(), List.of(), 0, 0);
    } catch (IOException e) {
      degrade.accept("journal directory " + dir + " cannot be listed (" + e + "); earlier segments are not replayed", e);
      return new Found(List.of(), List.of(), 0, 0);
    }
    List<Journal.Recovered> recovered = new ArrayList<>();
    List<JournalSegment> empty = new ArrayList<>();
    long corrupt = 0;
    long bytes = 0;
    for (Path f : files) {
      Matcher m = SEGMENT.matcher(f.getFileName().toString());
      m.matches();
      long seq = Long.parseLong(m.group(1));
      nextSequence = Math.max(nextSequence, seq + 1);
      JournalScan scan;
      long size;
      try {
        byte[] data = Files.readAllBytes(f);
        size = data.length;
        scan = JournalScan.of(data);
      } catch (IOException e) {
        errors.accept("journal segment " + f + " cannot be read (" + e + "); left in place", e);
        continue;
      }
      for (JournalScan.Damage d : scan.damages()) {
        boolean header = scan.badHeader() && d.offset() == 0 && !scan.entries().isEmpty();
        if (!header) {
          corrupt++; // (a damaged header alone skips no record)
        }
        String what = scan.badHeader() && scan.entries().isEmpty() ? "is not a journal segment (bad header)"
            : header ? "has a damaged segment header (its records are read anyway)"
            : d.tail() ? "has a torn or corrupt tail" : "has a corrupt record";
        String msg = "journal segment " + f + " " + what + ": " + d.length() + " bytes at offset " + d.offset()
            + " skipped; " + scan.entries().size() + " valid records are replayed";
        LOG.error("auditkit journal: {}", msg);
        errors.accept(msg, null);
      }
      long oldest = scan.entries().isEmpty() ? Long.MAX_VALUE : scan.entries().get(0).acceptedAt();
      JournalSegment seg = new JournalSegment(f, seq, null, size, scan.entries().size(), scan.damaged(), removed);
      bytes += size;
      if (scan.entries().isEmpty()) {
        empty.add(seg);
      } else {
        recovered.add(new Journal.Recovered(seg, scan.entries().size(), oldest));
      }
    }
    return new Found(recovered, empty, corrupt, bytes);
  }

  /** The file of the next segment; {@link #used()} once it is made. */
  Path nextSegment() {
    return dir.resolve(String.format("segment-%020d.journal", nextSequence));
  }

  /** The segment named by {@link #nextSegment()} was made: the next gets the following number. */
  long used() {
    return nextSequence++;
  }

  /**
   * Writes a segment whose file was deleted while in use back to its path, from its open file
   * ({@code bytes} of it), synced with the directory when {@code sync}. The directory is made and
   * locked again if it went too. A partial copy is removed (it would be replayed as a torn one).
   */
  void writeBack(JournalSegment seg, long bytes, boolean sync) throws IOException {
    Path f = seg.file();
    FileChannel from = seg.channel();
    try {
      if (from == null) {
        throw new IOException("the file is closed");
      }
      if (!Files.isDirectory(dir)) {
        Files.createDirectories(dir);
        relock();
      }
      try (FileChannel to = FileChannel.open(f, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        for (long pos = 0; pos < bytes; ) {
          long t = from.transferTo(pos, bytes - pos, to);
          if (t <= 0) {
            throw new IOException("the open file ends at offset " + pos + ", before " + bytes);
          }
          pos += t;
        }
        if (sync) {
          to.force(true);
          force();
        }
      }
    } catch (IOException e) {
      try {
        Files.deleteIfExists(f);
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  /** The directory was deleted and made again: its lock file too. */
  private void relock() throws IOException {
    Path lockFile = dir.resolve(LOCK_FILE);
    FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock l;
    try {
      l = ch.tryLock();
    } catch (IOException | OverlappingFileLockException e) {
      l = null;
    }
    if (l == null) {
      closeQuietly(ch);
      throw new IOException("after the journal directory was deleted, another process locked " + lockFile);
    }
    closeQuietly(lockChannel); // the old lock, on the deleted file, goes with it
    lockChannel = ch;
    lock = l;
  }

  /** fsync of the directory (a new file's name), where the file system can do it. */
  void force() {
    for (int attempt = 0; attempt < 2; attempt++) {
      try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
        d.force(true);
        return;
      } catch (ClosedByInterruptException e) {
        OwedInterrupt.owe(); // once more, without the flag
      } catch (IOException ignored) {
        return; // some file systems cannot sync a directory; the file itself is synced
      }
    }
  }

  /** Gives the lock back. */
  void release() {
    try {
      if (lock != null) {
        lock.release();
      }
    } catch (IOException ignored) {
      // closing the channel releases it too
    }
    closeQuietly(lockChannel);
  }

  static void closeQuietly(FileChannel ch) {
    if (ch != null) {
      try {
        ch.close();
      } catch (IOException ignored) {
        // nothing left to do
      }
    }
  }
}

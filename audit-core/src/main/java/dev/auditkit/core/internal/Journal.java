package dev.auditkit.core.internal;

import dev.auditkit.core.JournalDurability;
import dev.auditkit.core.JournalLockedException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local append-only journal of an ASYNC {@code AuditLog}: a directory of segment files
 * ({@code segment-<n>.journal}) guarded by a lock file.
 *
 * <p>Callers append under one lock: at {@link JournalDurability#PROCESS_CRASH} a copy into a
 * memory mapping of the segment ({@link MappedAppender}), at {@link JournalDurability#POWER_LOSS}
 * a single {@code write} to the OS, after which they wait for an fsync that covers their record;
 * one of the waiting callers performs it for all of them (group commit). When the directory
 * cannot be written (disk full, read-only) the journal reports it once, degrades — {@link #append}
 * returns null and the caller keeps the event in memory only — and retries a fresh segment every
 * few seconds.
 */
public final class Journal implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Journal.class);
  private static final long RETRY_NANOS = 5_000_000_000L;
  /**
   * How often an I/O step whose file an interrupt closed is tried again (each time with the
   * interrupt put aside) before it counts as a failure: only an interrupt storm gets that far.
   */
  private static final int INTERRUPTED_ATTEMPTS = 100;
  /** How often appends (and the idle writer, {@link #watch}) look whether the active segment's file is still there. */
  private static final long FILE_CHECK_NANOS = 1_000_000_000L;

  /** A segment found at start, with how many valid records it holds and the oldest one's time. */
  public record Recovered(JournalSegment segment, long records, long oldestAcceptedAt) {}

  /**
   * Where a record went; {@code spilled} when the journal alone holds it (the queue was full, see
   * {@link #append(long, byte[], HandOff)}) and the writer reads it back with {@link #readSpilled}.
   */
  public record Appended(JournalSegment segment, long position, boolean spilled) {}

  /**
   * What {@link #append(long, byte[], HandOff, boolean)} returns, having written nothing, when the
   * caller would rather wait for room in the queue than spill (compared by identity).
   */
  public static final Appended NO_ROOM = new Appended(null, -1, false);

  /**
   * Puts a just-journaled event on the in-memory queue without waiting; false when the queue is
   * full. Called under the append lock, so that queued and spilled records never interleave.
   */
  @FunctionalInterface
  public interface HandOff {
    boolean offer(JournalSegment segment);

    /**
     * Whether the queue has room now. Asked under the append lock, before anything is written;
     * the queue's other journaling producers add under that lock too, so room seen here is room
     * at the offer (only a memory-only event, added while the journal cannot be written, can take
     * it meanwhile: then the record spills, which is always safe).
     */
    default boolean hasRoom() {
      return true;
    }
  }

  /** Records read back from the spilled part of the journal, oldest first, each with its segment. */
  public record Spilled(JournalSegment segment, List<JournalScan.Entry> entries) {}

  /** Bytes read from a segment at a time when reading spilled records back. */
  private static final int SPILL_READ_BYTES = 1 << 20;

  private final Path dir;
  private final JournalDurability durability;
  private final long segmentBytes;
  /** The most record bytes the segments may hold; beyond it appends are refused (memory only). */
  private final long capacity;
  /** PROCESS_CRASH on a file system that suits it: appends go through a mapping. */
  private final boolean mapping;
  /** With {@link #mapping}: prepares each segment's next window off the appending threads. */
  private final ExecutorService mapper;
  private final BiConsumer<String, Throwable> errors;
  private final List<Recovered> recovered = new ArrayList<>();
  private final AtomicLong liveBytes = new AtomicLong();
  private final AtomicLong durable = new AtomicLong();
  private final Object appendLock = new Object();
  private final Object syncMonitor = new Object();
  private final JournalDirectory directory;
  private long corruptRecords;
  // guarded by appendLock
  private JournalSegment active;
  private long written;
  /** {@code System.nanoTime()} before which no new segment is tried after a failure; 0: at once. */
  private long retryAt;
  private boolean closed;
  /** When the active segment's file is looked for next (see {@link #watchActiveFile}); read without the lock. */
  private volatile long nextFileCheck = System.nanoTime() + FILE_CHECK_NANOS;
  /** The segments hold {@link #capacity} bytes: appends are refused until shipped ones are removed. */
  private boolean full;
  private volatile boolean degraded;
  // guarded by syncMonitor
  private boolean syncing;
  /** The spilled part of the journal, records no queue holds (guarded by appendLock). */
  private final JournalSpill spill = new JournalSpill();

  /** Opens a new segment's file for reading and writing; tests put faults in here. */
  interface SegmentFiles {
    SegmentFiles REAL = f -> FileChannel.open(f, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
        StandardOpenOption.WRITE);

    FileChannel create(Path file) throws IOException;
  }

  private final SegmentFiles segmentFiles;

  private Journal(Path dir, JournalDurability durability, long segmentBytes, long capacity,
      BiConsumer<String, Throwable> errors, SegmentFiles segmentFiles) {
    this.segmentFiles = segmentFiles;
    this.dir = dir;
    this.directory = new JournalDirectory(dir);
    this.capacity = capacity;
    this.durability = durability;
    // a quarter of the capacity at most: a full journal resumes once the segments before the active
    // one are shipped and removed, which a single segment as large as the capacity never is
    this.segmentBytes = Math.min(segmentBytes, Math.max(capacity / 4, JournalRecord.SEGMENT_HEADER + 1));
    this.errors = errors;
    this.mapping = durability == JournalDurability.PROCESS_CRASH && MappedAppender.suits(directory.existing());
    this.mapper = !mapping ? null : Executors.newSingleThreadExecutor(r -> { // its thread starts with the first task
      Thread t = new Thread(r, "auditkit-journal-mapper");
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Opens (creating if needed) the journal in {@code dir}, scans the segments left by an earlier
   * run and starts a new segment.
   *
   * @param errors told of each journal problem (message, cause) so it can surface in health
   * @throws JournalLockedException when another AuditLog holds the directory
   */
  public static Journal open(Path dir, JournalDurability durability, long segmentBytes,
      BiConsumer<String, Throwable> errors) {
    return open(dir, durability, segmentBytes, Long.MAX_VALUE, errors);
  }

  /**
   * As {@link #open(Path, JournalDurability, long, BiConsumer)}, refusing appends (the journal
   * degrades, see {@link #append}) while its segments hold {@code capacity} bytes or more.
   */
  public static Journal open(Path dir, JournalDurability durability, long segmentBytes, long capacity,
      BiConsumer<String, Throwable> errors) {
    return open(dir, durability, segmentBytes, capacity, errors, SegmentFiles.REAL);
  }

  /** As {@link #open(Path, JournalDurability, long, long, BiConsumer)}, with segment files opened by {@code files}. */
  static Journal open(Path dir, JournalDurability durability, long segmentBytes, long capacity,
      BiConsumer<String, Throwable> errors, SegmentFiles files) {
    Journal j = new Journal(dir.toAbsolutePath().normalize(), durability, segmentBytes, capacity, errors, files);
    boolean interrupted = OwedInterrupt.setAside(); // the thread building the log may be interrupted too
    try {
      j.lockAndScan();
      synchronized (j.appendLock) {
        j.startSegment();
      }
    } finally {
      OwedInterrupt.giveBack(interrupted);
    }
    return j;
  }

  private void lockAndScan() {
    directory.lock(this::degrade);
    JournalDirectory.Found found = directory.scan(errors, this::degrade, this::subtractBytes);
    corruptRecords = found.corruptRecords();
    liveBytes.addAndGet(found.bytes());
    found.empty().forEach(seg -> seg.shipped(0)); // nothing to ship: removed (after their bytes were counted)
    recovered.addAll(found.recovered());
    long total = recovered.stream().mapToLong(Recovered::records).sum();
    if (total > 0) {
      LOG.info("auditkit journal: {} events in {} segment(s) of {} from an earlier run are shipped again "
          + "(the store ignores ids it already has)", total, recovered.size(), dir);
    }
  }

  private void subtractBytes(long n) {
    liveBytes.addAndGet(-n);
  }

  /** Segments left by an earlier run, oldest first, each still to be shipped. */
  public List<Recovered> recovered() {
    return List.copyOf(recovered);
  }

  /** Reads back the valid records of a recovered segment. */
  public static JournalScan read(JournalSegment segment) throws IOException {
    return JournalScan.of(Files.readAllBytes(segment.file()));
  }

  /**
   * Appends one record and, at POWER_LOSS, waits until it is on disk.
   *
   * @return where it went, or null when the journal cannot be written and the event lives in
   *     memory only
   */
  public Appended append(long acceptedAt, byte[] payload) {
    return append(acceptedAt, payload, segment -> true);
  }

  /**
   * Appends one record, hands it to the queue with {@code handOff} (under the append lock) and, at
   * POWER_LOSS, waits until it is on disk. When the queue is full the record is <em>spilled</em>:
   * the journal alone holds it, and every later record too until {@link #readSpilled} has read
   * them all back, so a full queue never makes the caller wait while the journal can be written.
   *
   * @return where it went and whether it was spilled, or null when the journal cannot be written
   *     and the caller must keep the event in memory ({@code handOff} was not called)
   */
  public Appended append(long acceptedAt, byte[] payload, HandOff handOff) {
    return append(acceptedAt, payload, handOff, false);
  }

  /**
   * {@link #append(long, byte[], HandOff)}, except that with {@code ratherWait}, a full queue while
   * nothing is spilled writes nothing and returns {@link #NO_ROOM}: the caller waits for room (off
   * this lock) and tries again, or gives up waiting and appends without {@code ratherWait}.
   */
  public Appended append(long acceptedAt, byte[] payload, HandOff handOff, boolean ratherWait) {
    // a file channel is closed by an interrupt of the thread doing I/O on it, for every thread: a
    // caller with its flag set (a cancelled task) would fail the segment. The flag waits meanwhile
    boolean interrupted = OwedInterrupt.setAside();
    try {
      return appendNow(acceptedAt, payload, handOff, ratherWait);
    } finally {
      OwedInterrupt.giveBack(interrupted);
    }
  }

  private Appended appendNow(long acceptedAt, byte[] payload, HandOff handOff, boolean ratherWait) {
    if (payload.length > JournalRecord.MAX_PAYLOAD) {
      // (only with AuditLimits.unlimited()) a record this long would be read back as damage
      String msg = "an event of " + payload.length + " bytes is longer than a journal record may be ("
          + JournalRecord.MAX_PAYLOAD + "): it is kept in memory only";
      LOG.error("auditkit journal: {}", msg);
      errors.accept(msg, null);
      return null;
    }
    // the checksum (and, for write(2), the whole record) is made before taking the lock
    int crc = mapping ? JournalRecord.crc(acceptedAt, payload, 0, payload.length) : 0;
    ByteBuffer record = mapping ? null : JournalRecord.encode(acceptedAt, payload);
    int n = JournalRecord.HEADER + payload.length;
    JournalSegment seg;
    long end;
    boolean spilled;
    synchronized (appendLock) {
      if (closed) {
        return null;
      }
      if (!watchActiveFile()) {
        return null;
      }
      // once full, journaling resumes a segment's worth below the capacity, not at every removal
      long limit = full ? capacity - Math.min(segmentBytes, capacity / 4) : capacity;
      if (liveBytes.get() + n > limit) {
        if (!full) {
          full = true;
          degrade("journal " + dir + " holds " + liveBytes.get() + " bytes, its capacity is " + capacity
              + " (journalCapacity)", null);
        }
        return null;
      }
      if (full) {
        full = false;
        if (active != null) {
          degraded = false;
          LOG.warn("auditkit journal: {} is below its capacity again, events are journaled again", dir);
        }
      }
      if (active == null) {
        if ((retryAt != 0 && System.nanoTime() - retryAt < 0) || !startSegment()) {
          return null;
        }
        LOG.warn("auditkit journal: {} is writable again, events are journaled again", dir);
        degraded = false;
      }
      if (ratherWait && !spill.on() && !handOff.hasRoom()) {
        return NO_ROOM;
      }
      long before;
      for (int attempt = 0; ; attempt++) {
        seg = active;
        before = seg.bytes();
        try {
          write(seg, before, acceptedAt, payload, crc, record);
          break;
        } catch (IOException e) {
          // a channel closed by an interrupt, of this caller or of another thread doing I/O on it
          // (the group commit's fsync runs outside this lock): not a disk fault. A new segment
          // takes over, and the record is written there
          if (attempt < INTERRUPTED_ATTEMPTS && e instanceof ClosedChannelException && replaceClosed(seg, before)) {
            if (record != null) {
              record.rewind();
            }
            continue;
          }
          failActive(before, e);
          return null;
        }
      }
      seg.appended(n);
      liveBytes.addAndGet(n);
      written += n;
      end = written;
      if (!spill.on() && !handOff.offer(seg)) {
        spill.begin(seg, before);
      }
      spilled = spill.on();
      if (spilled) {
        spill.recorded(seg, acceptedAt);
      }
      if (seg.bytes() >= segmentBytes) {
        roll();
      }
    }
    if (durability == JournalDurability.POWER_LOSS) {
      awaitDurable(end);
    }
    return new Appended(seg, end, spilled);
  }

  /** The segments holding spilled records not read back yet (for close's report). */
  public List<JournalSegment> spillSegments() {
    synchronized (appendLock) {
      return spill.segments();
    }
  }

  /** Whether records are spilled (held by the journal only) that {@link #readSpilled} has not read back yet. */
  public boolean spilling() {
    return spill.on();
  }

  /**
   * The spill's counters, read together (for health): records not read back yet, records spilled
   * since this journal opened, and the acceptance time of the oldest unread one (or an older one),
   * MAX_VALUE when there is none.
   */
  public record SpillCounts(long unread, long total, long oldest) {}

  /** The spill's counters in one look. */
  public SpillCounts spillCounts() {
    synchronized (appendLock) {
      return new SpillCounts(spill.unread(), spill.total(), spill.oldest());
    }
  }

  /** The acceptance time of the oldest spilled record not read back yet (or an older one), or MAX_VALUE. */
  public long spillOldest() {
    synchronized (appendLock) {
      return spill.oldest();
    }
  }

  /**
   * Reads back up to {@code max} spilled records, oldest first, from one segment; the writer thread
   * calls it (one reader at a time). Returns null when nothing is spilled any more: the reader has
   * reached the end of the journal, so from the next append on records are queued again.
   *
   * <p>Damage (which only a disk fault or another process can cause in a live segment) is reported,
   * the segment is kept as {@code .corrupt} once shipped, and every record that cannot be read back
   * is given to {@code lost} (count) and acknowledged to its segment, so nothing waits for it for
   * ever: a record failing its checksum at once, a damaged stretch when its segment has been read
   * to the end (then it is known how many records were spilled there and how many were read).
   *
   * @throws IOException when the segment cannot be read (the records stay; try again later, or
   *     {@link #abandonSpilledSegment})
   */
  public Spilled readSpilled(int max, LongConsumer lost) throws IOException {
    JournalSegment seg;
    long from;
    long end;
    synchronized (appendLock) {
      while (true) {
        seg = spill.head();
        if (!spill.on() || seg == null) {
          spill.end(lost);
          return null;
        }
        from = spill.cursor();
        end = seg.bytes();
        if (from < end) {
          break;
        }
        if (seg == active) {
          spill.end(lost); // everything written is read back: the next record is queued again
          return null;
        }
        spill.nextSegment(lost); // sealed, and read to its end
      }
    }
    int windowBytes = (int) Math.min(SPILL_READ_BYTES, Math.max(64 * 1024, (long) max * 2048));
    SegmentReader.Result r;
    try {
      r = SegmentReader.read(seg.file(), from, end, max, windowBytes);
    } catch (NoSuchFileException gone) {
      // deleted while in use: the active segment's file is still open here (and written to its path
      // again by the next look, see watchActiveFile); a sealed one's is not, and its records are lost
      FileChannel open = seg.channel();
      if (open != null) {
        r = SegmentReader.read(open, seg.file(), from, end, max, windowBytes);
      } else if (Files.exists(seg.file())) {
        r = SegmentReader.read(seg.file(), from, end, max, windowBytes); // written again meanwhile
      } else {
        throw gone;
      }
    }
    for (String problem : r.damage()) {
      LOG.error("auditkit journal: {}", problem);
      errors.accept(problem, null);
    }
    if (r.damaged()) {
      seg.markDamaged();
    }
    if (r.badRecords() > 0) {
      seg.shipped(r.badRecords());
      lost.accept(r.badRecords());
    }
    List<JournalScan.Entry> entries = r.entries();
    synchronized (appendLock) {
      // read to the end of the journal: the next record is queued again
      boolean atEnd = seg == active && r.next() >= seg.bytes();
      long lastAcceptedAt = entries.isEmpty() ? Long.MAX_VALUE : entries.get(entries.size() - 1).acceptedAt();
      spill.consumed(entries.size(), r.badRecords(), r.next(), lastAcceptedAt, atEnd, lost);
    }
    return new Spilled(seg, entries);
  }

  /**
   * Gives up reading the spilled records of the segment being read (its file is gone or keeps
   * failing): they are counted to {@code lost}, and the file, if it is still there, is not
   * acknowledged, so it stays for the next start.
   */
  public void abandonSpilledSegment(LongConsumer lost) {
    synchronized (appendLock) {
      JournalSegment seg = spill.head();
      if (!spill.on() || seg == null) {
        return;
      }
      String msg = "journal segment " + seg.file() + ": " + spill.headLeft() + " spilled events cannot be read back "
          + "and are skipped in this run; the file, if it still exists, is kept for the next start";
      LOG.error("auditkit journal: {}", msg);
      errors.accept(msg, null);
      spill.abandonHead(lost);
      if (!Files.exists(seg.file()) && seg != active) {
        seg.forget(); // its bytes are not on disk any more
      }
    }
  }

  /** Group commit: one waiter forces the file for everyone who wrote before it looked. */
  private void awaitDurable(long position) {
    boolean interrupted = false;
    try {
      while (true) {
        synchronized (syncMonitor) {
          while (syncing && durable.get() < position) {
            try {
              syncMonitor.wait();
            } catch (InterruptedException e) {
              // the record is acknowledged only once synced: the wait goes on, the flag comes back after
              interrupted = true;
            }
          }
          if (durable.get() >= position) {
            return;
          }
          syncing = true;
        }
        try {
          long target;
          JournalSegment seg;
          synchronized (appendLock) {
            target = written;
            seg = active;
          }
          boolean forced = forceFile(seg); // (an interrupt it meets is owed, not met again below)
          if (!forced) {
            // a failed fsync fails the segment: reported, and the journal degrades for a while. The
            // calls waiting for it return; their events are still shipped from memory. The active
            // segment is failed even when it is a newer one (the failed one filled meanwhile, and its
            // roll's fsync could succeed: Linux reports a writeback error to one fsync only): the
            // disk just failed one, as at a roll
            synchronized (appendLock) {
              if (active != null) {
                failActive(-1, new IOException("fsync of " + seg.file() + " failed: records written to it since its "
                    + "last fsync may not survive a power loss"));
              }
            }
          } else if (seg != null && closedUnderneath(seg.channel())) {
            synchronized (appendLock) {
              if (active == seg) {
                replaceClosed(seg, seg.bytes());
              }
            }
          }
          durable.accumulateAndGet(target, Math::max);
        } finally {
          synchronized (syncMonitor) {
            syncing = false;
            syncMonitor.notifyAll();
          }
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * fsync of a segment's file; true when it succeeded, or when there is nothing to force (no
   * segment, or one sealed meanwhile: sealing forces first). A channel closed by an interrupt of a
   * thread doing I/O on it is forced through a new descriptor of the same file, which covers what
   * was written through the closed one. A failure is reported (ERROR, {@code lastError}).
   */
  private boolean forceFile(JournalSegment seg) {
    FileChannel ch = seg == null ? null : seg.channel();
    if (ch == null) {
      return true;
    }
    try {
      ch.force(false);
      return true;
    } catch (ClosedChannelException closed) {
      if (seg.channel() == null) {
        return true; // sealed meanwhile, and forced before it was closed
      }
      for (int attempt = 1; ; attempt++) {
        OwedInterrupt.owe(); // or the new descriptor is closed at once too
        try (FileChannel again = FileChannel.open(seg.file(), StandardOpenOption.WRITE)) {
          again.force(false);
          return true;
        } catch (IOException e) {
          OwedInterrupt.owe();
          boolean explained = e instanceof ClosedChannelException || e instanceof java.nio.file.NoSuchFileException;
          if (explained && seg.channel() == null) {
            return true; // sealed meanwhile (another caller replaced it), and forced before it was closed
          }
          if (!(e instanceof java.nio.channels.ClosedByInterruptException) || attempt >= INTERRUPTED_ATTEMPTS) {
            closed.addSuppressed(e);
            reportFsyncFailure(seg, closed);
            return false;
          }
        }
      }
    } catch (IOException e) {
      reportFsyncFailure(seg, e);
      return false;
    }
  }

  private void reportFsyncFailure(JournalSegment seg, IOException e) {
    String msg = "fsync of journal segment " + seg.file() + " failed (" + e + "): records written to it since its "
        + "last fsync may not survive a power loss (their events are still shipped from memory)";
    LOG.error("auditkit journal: {}", msg);
    errors.accept(msg, e);
  }

  /** Closed by an interrupt, not by the journal (a sealed segment has no channel any more). */
  private static boolean closedUnderneath(FileChannel ch) {
    return ch != null && !ch.isOpen();
  }

  /** One record into {@code seg} at {@code at}: through its mapping, or one write of {@code record}. */
  private static void write(JournalSegment seg, long at, long acceptedAt, byte[] payload, int crc, ByteBuffer record)
      throws IOException {
    MappedAppender mapped = seg.mapped();
    if (mapped != null) {
      try {
        mapped.append(at, acceptedAt, payload, crc);
      } catch (InternalError e) {
        // HotSpot's report of a fault inside a mapped store, when it comes at once (see MappedAppender)
        throw new IOException("a store into the mapped journal segment faulted: " + e.getMessage(), e);
      }
    } else {
      FileChannel ch = seg.channel();
      while (record.hasRemaining()) {
        ch.write(record);
      }
    }
  }

  /**
   * The active segment's channel was closed by an interrupt (of any thread doing I/O on it): its
   * file is cut to its whole records ({@code goodLength}) and forced at POWER_LOSS through a new
   * descriptor, and a new segment takes over, without the pause a failing disk gets.
   *
   * @return whether a new segment is active (false: it failed as after a disk fault, reported)
   */
  private boolean replaceClosed(JournalSegment seg, long goodLength) {
    if (active != seg || !closedUnderneath(seg.channel())) {
      return false; // not closed underneath: a real failure
    }
    for (int attempt = 1; ; attempt++) {
      OwedInterrupt.owe(); // this caller's own interrupt, if it was one, is given back on return
      try (FileChannel again = FileChannel.open(seg.file(), StandardOpenOption.WRITE)) {
        again.truncate(goodLength); // a record cut off by the close
        if (durability == JournalDurability.POWER_LOSS) {
          again.force(false);
        }
        break;
      } catch (IOException e) {
        OwedInterrupt.owe();
        if (!(e instanceof java.nio.channels.ClosedByInterruptException) || attempt >= INTERRUPTED_ATTEMPTS) {
          return false;
        }
      }
    }
    durable.accumulateAndGet(written, Math::max); // every record before is in the file, forced
    active = null;
    seg.seal();
    if (!startSegment()) {
      return false; // degraded, reported
    }
    LOG.warn("auditkit journal: segment {} was closed by an interrupt of a thread doing I/O on it; {} continues "
        + "the journal", seg.file(), active.file());
    return true;
  }

  private void roll() {
    JournalSegment old = active;
    // deleted since the last look, and filled up before the next: written again before it is closed
    if (!Files.exists(old.file()) && !restore(old)) {
      return; // the segment failed instead (reported), and there is no active segment
    }
    boolean forced = durability != JournalDurability.POWER_LOSS || forceFile(old);
    // the calls waiting for this fsync return, as after a failed group commit: their events are
    // still shipped from memory (the queue, or the file in the page cache for spilled ones)
    durable.accumulateAndGet(written, Math::max);
    active = null;
    old.seal();
    if (!forced) {
      // a disk that failed an fsync is not trusted with the next segment at once
      retryAt = retryTime();
      degrade("fsync of journal segment " + old.file() + " failed when it was full", null);
      return;
    }
    startSegment();
  }

  /**
   * Looks, at most once a second, whether the active segment's file is still in the directory (see
   * {@link #watchActiveFile}); the writer calls it while it has nothing to do, appends call it too.
   */
  public void watch() {
    if (System.nanoTime() - nextFileCheck < 0) {
      return;
    }
    boolean interrupted = OwedInterrupt.setAside();
    try {
      synchronized (appendLock) {
        if (!closed) {
          watchActiveFile();
        }
      }
    } finally {
      OwedInterrupt.giveBack(interrupted);
    }
  }

  /**
   * At most once a second (under the append lock): when the active segment's file is gone from the
   * directory (a clean-up job, an operator), its records would survive only in this process, so
   * they are written to the same path again from the still open file, and a new segment is
   * started. The directory is made again if it went with it, and locked again.
   *
   * @return false when the file is gone and cannot be written again: the segment then failed like
   *     a write (the journal degrades), and there is no active segment
   */
  private boolean watchActiveFile() {
    long now = System.nanoTime();
    if (active == null || now - nextFileCheck < 0) {
      return true;
    }
    nextFileCheck = now + FILE_CHECK_NANOS;
    if (Files.exists(active.file())) {
      return true;
    }
    if (!restore(active)) {
      return false;
    }
    roll();
    return active != null;
  }

  /**
   * Writes a deleted segment's bytes to its path again from its open file; false (the segment then
   * failed like a write) when that is not possible.
   */
  private boolean restore(JournalSegment seg) {
    long n = seg.bytes();
    try {
      directory.writeBack(seg, n, durability == JournalDurability.POWER_LOSS);
    } catch (IOException e) {
      failActive(-1, new IOException("the segment file was deleted while in use and cannot be written again; "
          + "its unshipped events are held in this process only", e));
      return false;
    }
    String msg = "journal segment " + seg.file() + " was deleted while in use; it was written again from the open file ("
        + n + " bytes, " + seg.pending() + " events of it not shipped yet), and a new segment is started";
    LOG.error("auditkit journal: {}", msg);
    errors.accept(msg, null);
    return true;
  }

  /** Before a segment is closed: its waiting callers are then released (a failure is reported). */
  private void forceIfPowerLoss(JournalSegment seg) {
    if (durability == JournalDurability.POWER_LOSS) {
      forceFile(seg);
    }
  }

  /** When to try a new segment after a failure: in 5 s (never 0, which means at once). */
  private static long retryTime() {
    return (System.nanoTime() + RETRY_NANOS) | 1;
  }

  private boolean startSegment() {
    for (int attempt = 1; ; attempt++) {
      if (startSegmentOnce()) {
        return true;
      }
      if (retryAt != 0) {
        return false; // degraded, reported
      }
      if (attempt >= INTERRUPTED_ATTEMPTS) {
        retryAt = retryTime();
        degrade("no journal segment could be created: interrupts closed " + attempt + " in a row", null);
        return false;
      }
      // closed by an interrupt (now owed): again, at once
    }
  }

  private boolean startSegmentOnce() {
    Path f = directory.nextSegment();
    FileChannel ch = null;
    try {
      ch = segmentFiles.create(f);
      long sequence = directory.used();
      ByteBuffer header = ByteBuffer.allocate(JournalRecord.SEGMENT_HEADER)
          .putLong(0, mapping ? JournalRecord.SEGMENT_MAGIC_MAPPED : JournalRecord.SEGMENT_MAGIC);
      while (header.hasRemaining()) {
        ch.write(header);
      }
      if (durability == JournalDurability.POWER_LOSS) {
        ch.force(true);
        directory.force();
      }
      active = new JournalSegment(f, sequence, ch, JournalRecord.SEGMENT_HEADER, 0, false, this::subtractBytes);
      spill.segmentStarted(active); // while spilling, records spilled from now on are here
      if (mapping) {
        active.map(mapper); // appends are copies into the page cache (see MappedAppender)
      }
      liveBytes.addAndGet(JournalRecord.SEGMENT_HEADER);
      return true;
    } catch (IOException e) {
      JournalDirectory.closeQuietly(ch);
      try {
        Files.deleteIfExists(f);
      } catch (IOException ignored) {
        // the directory is the problem; reported below
      }
      if (e instanceof java.nio.channels.ClosedByInterruptException) {
        OwedInterrupt.owe();
        retryAt = 0;
        return false;
      }
      retryAt = retryTime();
      degrade("journal segment " + f + " cannot be created (" + e + ")", e);
      return false;
    }
  }

  /** A write failed: cut the partial record off, seal the segment and run in memory for a while. */
  private void failActive(long goodLength, IOException e) {
    JournalSegment seg = active;
    if (seg == null) {
      return;
    }
    if (goodLength >= 0) {
      try {
        seg.truncate(goodLength);
      } catch (IOException ignored) {
        // a torn tail is detected and skipped by the scan on the next start
      }
    }
    active = null;
    forceIfPowerLoss(seg); // records written before the failure are still owed their fsync
    seg.seal();
    // closed by an interrupt of the thread writing (not a fault of the disk): a new segment at once
    boolean byInterrupt = e instanceof java.nio.channels.ClosedByInterruptException;
    if (byInterrupt) {
      OwedInterrupt.owe();
    }
    retryAt = byInterrupt ? 0 : retryTime();
    degrade("journal write to " + seg.file() + " failed (" + e + ")", e);
  }

  private void degrade(String problem, Throwable cause) {
    degraded = true;
    String msg = problem + ": events are kept in memory only until the journal is writable again, "
        + "and callers wait (BLOCK) when the queue is full";
    LOG.error("auditkit journal: {}", msg);
    errors.accept(msg, cause);
  }

  public boolean degraded() {
    return degraded;
  }

  public long bytes() {
    return liveBytes.get();
  }

  public long corruptRecords() {
    return corruptRecords;
  }

  public Path directory() {
    return dir;
  }

  /**
   * Forces and closes the active segment (removing it if everything in it was shipped, keeping it
   * otherwise) and releases the lock. Segments with unshipped events stay for the next start.
   */
  @Override
  public void close() {
    boolean interrupted = OwedInterrupt.setAside(); // it would close the files written again or forced here
    try {
      closeNow();
    } finally {
      OwedInterrupt.giveBack(interrupted);
    }
  }

  private void closeNow() {
    synchronized (appendLock) {
      if (closed) {
        return;
      }
      closed = true;
      if (active != null && !Files.exists(active.file())) {
        restore(active); // its unshipped events are kept for the next start (or reported as not kept)
      }
      if (active != null) {
        forceIfPowerLoss(active);
        active.seal();
        active = null;
      }
    }
    if (mapper != null) {
      mapper.shutdown(); // what is queued still runs: unmapping retired windows; nothing is prepared any more
    }
    directory.release();
  }
}

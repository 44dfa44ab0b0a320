package dev.auditkit.core.internal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.Executor;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One journal file. It counts the events appended to it (or found in it at start) that the store
 * has not yet committed; once it is sealed (no more appends) and that count is zero, the file is
 * removed — or, when damage was found in it, renamed to {@code *.corrupt} and kept for inspection.
 */
public final class JournalSegment {
  private static final Logger LOG = LoggerFactory.getLogger(JournalSegment.class);

  private final Path file;
  private final long sequence;
  private boolean damaged;
  private final LongConsumer onRemoved;
  private FileChannel channel;
  /** Appends through a memory mapping (PROCESS_CRASH), or null: appends are writes to the channel. */
  private MappedAppender mapped;
  private long bytes;
  private long pending;
  private boolean sealed;
  private boolean removed;

  JournalSegment(Path file, long sequence, FileChannel channel, long bytes, long pending, boolean damaged,
      LongConsumer onRemoved) {
    this.file = file;
    this.sequence = sequence;
    this.channel = channel;
    this.bytes = bytes;
    this.pending = pending;
    this.damaged = damaged;
    this.onRemoved = onRemoved;
    this.sealed = channel == null;
  }

  public Path file() {
    return file;
  }

  public long sequence() {
    return sequence;
  }

  synchronized FileChannel channel() {
    return channel;
  }

  /**
   * Appends to this segment go through a mapping of its file from now on; {@code mapper} prepares
   * the windows ahead.
   */
  synchronized void map(Executor mapper) {
    mapped = new MappedAppender(channel, bytes, mapper);
  }

  synchronized MappedAppender mapped() {
    return mapped;
  }

  /** Cuts the file back to {@code length} bytes (the end of its last whole record). */
  synchronized void truncate(long length) throws IOException {
    if (mapped != null) {
      mapped.close(length);
    } else {
      channel.truncate(length);
    }
  }

  synchronized long bytes() {
    return bytes;
  }

  /** Called under the journal's append lock after a record was fully written. */
  synchronized void appended(long n) {
    bytes += n;
    pending++;
  }

  synchronized long pending() {
    return pending;
  }

  /** Damage was found in it after the start (reading spilled records back): kept when shipped. */
  synchronized void markDamaged() {
    damaged = true;
  }

  /** The store committed {@code n} of this segment's events. */
  public void shipped(long n) {
    boolean remove;
    synchronized (this) {
      pending -= n;
      remove = sealed && pending <= 0 && !removed;
      removed |= remove;
    }
    if (remove) {
      remove();
    }
  }

  /**
   * Its file is gone (removed behind the journal's back): nothing will acknowledge or remove it,
   * so it stops counting in the journal's bytes now.
   */
  void forget() {
    boolean release;
    synchronized (this) {
      release = !removed;
      removed = true;
    }
    if (release) {
      onRemoved.accept(bytes());
    }
  }

  /** No more appends; closes the file and removes it if everything in it is shipped. */
  void seal() {
    boolean remove;
    synchronized (this) {
      closeChannel();
      sealed = true;
      remove = pending <= 0 && !removed;
      removed |= remove;
    }
    if (remove) {
      remove();
    }
  }

  private void closeChannel() {
    if (mapped != null) {
      try {
        mapped.close(bytes); // the zeros reserved past the last record go
      } catch (IOException e) {
        LOG.warn("auditkit journal: cutting {} to its last record failed ({}); the zeros after it are read as "
            + "the unwritten rest of the segment", file, e.toString());
      }
      mapped = null;
    }
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException e) {
        LOG.warn("auditkit journal: closing {} failed: {}", file, e.toString());
      }
      channel = null;
    }
  }

  private void remove() {
    boolean keep;
    synchronized (this) {
      keep = damaged;
    }
    try {
      if (keep) {
        Path kept = file.resolveSibling(file.getFileName() + ".corrupt");
        Files.move(file, kept, StandardCopyOption.REPLACE_EXISTING);
        LOG.warn("auditkit journal: damaged segment {} fully shipped; kept as {} for inspection", file, kept);
      } else {
        Files.deleteIfExists(file);
      }
    } catch (IOException e) {
      LOG.warn("auditkit journal: could not remove shipped segment {} ({}); its events will be offered to the "
          + "store again on the next start, which ignores ids it already has", file, e.toString());
    }
    onRemoved.accept(bytes());
  }
}

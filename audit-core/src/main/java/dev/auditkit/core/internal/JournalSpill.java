package dev.auditkit.core.internal;

import java.util.ArrayDeque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;

/**
 * The spilled part of a {@link Journal}: records that no queue holds. From the first record that
 * found the queue full, every record is spilled (none is queued) until the writer has read back to
 * the end of the journal. This keeps the bookkeeping of that stretch: the segments from the one
 * being read (at {@link #cursor()}) to the newest, how many records were spilled into each and how
 * many of the first one were read, and the oldest unread record's time.
 *
 * <p>Not thread-safe: every method is called under the journal's append lock, except {@link
 * #on()}, which is volatile for the writer's cheap look (it changes only under that lock).
 */
final class JournalSpill {
  private volatile boolean on;
  private final ArrayDeque<JournalSegment> segments = new ArrayDeque<>();
  private long cursor;
  private long unread;
  /** Records spilled since the journal opened (never decreases). */
  private long total;
  private long oldest = Long.MAX_VALUE;
  /** Records spilled into each segment of this spill. */
  private final Map<JournalSegment, Long> spilledIn = new IdentityHashMap<>();
  /** Records of the first segment read back or skipped so far. */
  private long headConsumed;

  /** Whether records are spilled that have not been read back yet. */
  boolean on() {
    return on;
  }

  /** A record found the queue full: it, at {@code offset} of {@code seg}, and every later one are spilled. */
  void begin(JournalSegment seg, long offset) {
    on = true;
    segments.add(seg);
    cursor = offset;
    headConsumed = 0;
  }

  /** One more spilled record, in {@code seg}. */
  void recorded(JournalSegment seg, long acceptedAt) {
    unread++;
    total++;
    spilledIn.merge(seg, 1L, Long::sum);
    oldest = Math.min(oldest, acceptedAt);
  }

  /** A new segment became the active one: while spilling, the records spilled from now on are in it. */
  void segmentStarted(JournalSegment seg) {
    if (on) {
      segments.add(seg);
    }
  }

  /** The segment being read, or null. */
  JournalSegment head() {
    return segments.peekFirst();
  }

  /** The offset in {@link #head()} of the next record to read back. */
  long cursor() {
    return cursor;
  }

  /** The segments holding spilled records not read back yet. */
  List<JournalSegment> segments() {
    return on ? List.copyOf(segments) : List.of();
  }

  long unread() {
    return unread;
  }

  /** Records spilled since the journal opened, read back or not. */
  long total() {
    return total;
  }

  /** The acceptance time of the oldest spilled record not read back yet (or an older one), or MAX_VALUE. */
  long oldest() {
    return oldest;
  }

  /**
   * {@code read} records were read back from the head segment and {@code bad} could not be (they
   * are counted lost by the caller); reading goes on at {@code next}, where the newest record read
   * was accepted at {@code lastAcceptedAt} (no later record is older). Ends the spill instead when
   * {@code atEnd}: the reader reached the end of the journal, so the next record is queued again.
   */
  void consumed(long read, long bad, long next, long lastAcceptedAt, boolean atEnd, LongConsumer lost) {
    headConsumed += read + bad;
    unread = Math.max(0, unread - read - bad);
    if (atEnd) {
      end(lost);
    } else {
      cursor = next;
      if (read > 0) {
        oldest = lastAcceptedAt;
      }
    }
  }

  /** The head segment is read to its end: settle its counts and go on to the next one. */
  void nextSegment(LongConsumer lost) {
    settle(segments.removeFirst(), lost);
    cursor = JournalRecord.SEGMENT_HEADER;
    headConsumed = 0;
  }

  /**
   * Gives up the head segment's unread records: counted to {@code lost}, and the spill goes on with
   * the next segment (or ends).
   *
   * @return how many records were given up
   */
  long abandonHead(LongConsumer lost) {
    long left = headLeft();
    JournalSegment seg = segments.removeFirst();
    spilledIn.remove(seg);
    lost.accept(left);
    unread = Math.max(0, unread - left);
    cursor = JournalRecord.SEGMENT_HEADER;
    headConsumed = 0;
    if (segments.isEmpty()) {
      end(lost);
    }
    return left;
  }

  /** How many records spilled into the head segment are not read back yet. */
  long headLeft() {
    JournalSegment seg = segments.peekFirst();
    return seg == null ? 0 : Math.max(0, spilledIn.getOrDefault(seg, 0L) - headConsumed);
  }

  /** Everything spilled is read back (or given up): the next record is queued again. */
  void end(LongConsumer lost) {
    JournalSegment head = segments.peekFirst();
    if (head != null) {
      settle(head, lost);
    }
    on = false;
    segments.clear();
    spilledIn.clear();
    headConsumed = 0;
    unread = 0;
    oldest = Long.MAX_VALUE;
  }

  /**
   * Records spilled into {@code seg} that reading it to the end did not account for lay in damaged
   * stretches: acknowledged now, so that the segment does not wait for them, and counted lost.
   */
  private void settle(JournalSegment seg, LongConsumer lost) {
    long missing = spilledIn.getOrDefault(seg, 0L) - headConsumed;
    spilledIn.remove(seg);
    if (missing > 0) {
      seg.shipped(missing);
      lost.accept(missing);
      unread = Math.max(0, unread - missing);
    }
  }
}

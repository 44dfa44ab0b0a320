package dev.auditkit.core.internal;

import dev.auditkit.core.AuditEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The segments an earlier run left in the journal, shipped by {@link AsyncDispatcher}'s writer
 * thread in batches that it alternates with fresh ones: each segment is read whole when its turn
 * comes, and its readable events handed out in acceptance order. What cannot be shipped (records
 * that are not readable events, a segment that cannot be read) is taken off {@code unshipped}; a
 * file that cannot be read stays for the next start.
 *
 * <p>Threading: constructed before the writer starts; from then on its state is the writer
 * thread's alone, except {@link #oldest()} (volatile), which health reads from any thread, and
 * {@link #collectIds}, which the closing thread calls only once the writer has stopped.
 */
final class JournalReplay {
  /** The dispatcher's logger: these messages keep the name they have always been logged under. */
  private static final Logger LOG = LoggerFactory.getLogger(AsyncDispatcher.class);

  private final List<Journal.Recovered> recovered;
  private final int batchSize;
  private final RecordDecoder decoder;
  private final AtomicLong unshipped;
  private final BiConsumer<String, Throwable> errors;
  private final LongConsumer gathering;
  // written by the writer thread only
  private int replaySegment;
  private List<QueuedEvent> replayItems = List.of();
  private int replayIndex;
  private volatile long replayOldest = Long.MAX_VALUE;

  /**
   * @param recovered the segments found at start, oldest first (their records already counted in
   *     {@code unshipped})
   * @param unshipped the dispatcher's count of events not shipped yet
   * @param errors told of each problem (message, cause) so it can surface in health
   * @param gathering told the oldest acceptance time of each batch before it is handed out (health's
   *     age keeps covering it)
   */
  JournalReplay(List<Journal.Recovered> recovered, int batchSize, RecordDecoder decoder, AtomicLong unshipped,
      BiConsumer<String, Throwable> errors, LongConsumer gathering) {
    this.recovered = recovered;
    this.batchSize = batchSize;
    this.decoder = decoder;
    this.unshipped = unshipped;
    this.errors = errors;
    this.gathering = gathering;
    if (!recovered.isEmpty()) {
      replayOldest = recovered.get(0).oldestAcceptedAt();
    }
  }

  /** Whether events from an earlier run may be left to hand out. */
  boolean hasMore() {
    return replayIndex < replayItems.size() || replaySegment < recovered.size();
  }

  /** The acceptance time of the oldest event not handed out yet, or {@code Long.MAX_VALUE}. */
  long oldest() {
    return replayOldest;
  }

  /** The next batch (at most the batch size, never across segments); empty when none are left. */
  List<QueuedEvent> nextBatch() {
    while (replayIndex >= replayItems.size() && replaySegment < recovered.size()) {
      load(recovered.get(replaySegment++));
    }
    int end = Math.min(replayItems.size(), replayIndex + batchSize);
    List<QueuedEvent> batch = new ArrayList<>(replayItems.subList(replayIndex, end));
    if (!batch.isEmpty()) {
      gathering.accept(batch.get(0).acceptedAt()); // before the replay's oldest moves past them
    }
    replayIndex = end;
    if (replayIndex >= replayItems.size()) {
      replayOldest = replaySegment < recovered.size() ? recovered.get(replaySegment).oldestAcceptedAt() : Long.MAX_VALUE;
    } else {
      replayOldest = replayItems.get(replayIndex).acceptedAt();
    }
    return batch;
  }

  private void load(Journal.Recovered r) {
    List<QueuedEvent> items = decode(r);
    replayIndex = 0;
    if (items == null) {
      replayItems = List.of();
      unshipped.addAndGet(-r.records()); // not readable now; the file stays for the next start
      if (!Files.exists(r.segment().file())) {
        r.segment().forget(); // gone: its bytes no longer count towards the journal's capacity
      }
      return;
    }
    replayItems = items;
    long skipped = r.records() - replayItems.size();
    if (skipped > 0) {
      unshipped.addAndGet(-skipped);
      r.segment().shipped(skipped);
    }
  }

  /** The readable events of a recovered segment, or null when the file cannot be read. */
  private List<QueuedEvent> decode(Journal.Recovered r) {
    JournalScan scan;
    try {
      scan = Journal.read(r.segment());
    } catch (IOException e) {
      errors.accept("journal segment " + r.segment().file() + " cannot be read back (" + e + ")", e);
      LOG.error("auditkit journal: segment {} cannot be read back; it is left in place", r.segment().file(), e);
      return null;
    }
    List<QueuedEvent> items = new ArrayList<>();
    for (JournalScan.Entry en : scan.entries()) {
      AuditEvent e = decoder.readable(r.segment(), en);
      if (e != null) {
        items.add(new QueuedEvent(e, r.segment(), en.acceptedAt()));
      }
    }
    return items;
  }

  /**
   * Names the oldest events not handed out in close's report: the loaded ones first, then those of
   * the segments not loaded yet (read again, quietly), up to {@link CloseReport#REPORTED_IDS} in
   * all (they are in acceptance order). Only once the writer has stopped: until then it owns this
   * state.
   */
  void collectIds(CloseReport report) {
    int named = 0;
    for (int i = replayIndex; i < replayItems.size() && named < CloseReport.REPORTED_IDS; i++, named++) {
      QueuedEvent item = replayItems.get(i);
      report.name(item.acceptedAt(), item.event().id());
    }
    Iterator<Journal.Recovered> it = recovered.listIterator(replaySegment);
    while (it.hasNext() && named < CloseReport.REPORTED_IDS) {
      try { // quietly: the report must not count or report a record again, nor replace the last store error
        named += report.addIds(Journal.read(it.next().segment()).entries(), CloseReport.REPORTED_IDS - named);
      } catch (IOException unreadable) {
        // reported when the writer met it
      }
    }
  }

  /** The segments from an earlier run whose events are not all shipped yet. */
  List<JournalSegment> holding() {
    List<JournalSegment> out = new ArrayList<>();
    for (Journal.Recovered r : recovered) {
      if (r.segment().pending() > 0) {
        out.add(r.segment());
      }
    }
    return out;
  }
}

package dev.auditkit.core.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.auditkit.core.UnshippedEventsException;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@link AsyncDispatcher#close()} says about the events it could not ship: the ids of the
 * oldest of them by acceptance time (at most {@link #REPORTED_IDS}, oldest first, whichever place
 * they waited in) and the journal segments holding them, from which it tells whether every one is
 * kept in the journal or which are lost and why. Memory stays bounded however many events are
 * named. Built and read by the closing thread alone; what it is given is read once the writer has
 * stopped or close stopped waiting for it.
 */
final class CloseReport {
  /** The most ids a report names (and that each place events wait in is read for). */
  static final int REPORTED_IDS = 100;
  /** The dispatcher's logger: these messages keep the name they have always been logged under. */
  private static final Logger LOG = LoggerFactory.getLogger(AsyncDispatcher.class);
  private final OldestIds oldest = new OldestIds(REPORTED_IDS);
  private final Set<JournalSegment> holding = Collections.newSetFromMap(new IdentityHashMap<>());
  /** Whether some unshipped event is held in memory only (no segment). */
  private boolean inMemory;

  /** An unshipped event: its id, if it is among the oldest, and where it is held. */
  void add(QueuedEvent i) {
    name(i.acceptedAt(), i.event().id());
    hold(i.segment());
  }

  /** The id of an unshipped event accepted at {@code acceptedAt}, kept if it is among the oldest. */
  void name(long acceptedAt, UUID id) {
    oldest.offer(acceptedAt, id);
  }

  /** The oldest of some unshipped events, kept elsewhere beforehand. */
  void name(OldestIds ids) {
    ids.offerTo(oldest);
  }

  /** A segment holding unshipped events; null for events held in memory only. */
  void hold(JournalSegment segment) {
    if (segment == null) {
      inMemory = true;
    } else {
      holding.add(segment);
    }
  }

  /** Segments holding unshipped events. */
  void hold(Collection<JournalSegment> segments) {
    segments.forEach(this::hold);
  }

  /**
   * Names the events the first records hold, up to {@code max} of them (records without a
   * readable id are skipped and not counted).
   *
   * @return how many were named
   */
  int addIds(List<JournalScan.Entry> entries, int max) {
    int n = 0;
    for (JournalScan.Entry en : entries) {
      if (n >= max) {
        break;
      }
      try {
        JsonNode id = Json.MAPPER.readTree(en.payload()).get("id");
        if (id != null) {
          name(en.acceptedAt(), UUID.fromString(id.asText()));
          n++;
        }
      } catch (IOException | IllegalArgumentException unreadable) {
        // counted when it was read; not an id to report
      }
    }
    return n;
  }

  /**
   * Names the oldest spilled events the writer did not read back (the spill is in acceptance
   * order, so its first {@link #REPORTED_IDS} are all that can be among the oldest). Only once the
   * writer has stopped: until then it owns the reading. Damaged records met are given to {@code
   * damaged} (counted, skipped) like the writer's reads do.
   */
  void addSpilledIds(Journal journal, LongConsumer damaged) {
    try {
      Journal.Spilled read;
      int named = 0;
      while (named < REPORTED_IDS && (read = journal.readSpilled(REPORTED_IDS - named, damaged)) != null) {
        named += addIds(read.entries(), REPORTED_IDS - named); // quietly: the last store error stays the one reported
      }
    } catch (IOException e) {
      LOG.warn("auditkit journal: the ids of spilled events could not be read for the report: {}", e.toString());
    }
  }

  /** The ids kept, oldest first. */
  List<UUID> ids() {
    return oldest.ids();
  }

  /**
   * The report of {@code total} unshipped events, or null when there are none. With a journal
   * ({@code journaled}), whether every holding segment is still there is looked at in any case,
   * after the journal is closed (which writes a deleted active segment again).
   */
  UnshippedEventsException exception(long total, boolean journaled, Throwable lastCause) {
    String notKept = journaled ? notKept() : null;
    boolean retained = journaled && notKept == null;
    return total > 0 ? new UnshippedEventsException(total, ids(), retained, notKept, lastCause) : null;
  }

  /**
   * Null when every segment holding unshipped events is still in the journal directory; otherwise which
   * unshipped events are lost, and why, for close's report: those held in memory only (a null
   * segment: the journal could not be written, or was full, when they came), or those of a segment
   * whose file is gone.
   */
  private String notKept() {
    List<String> gone = new ArrayList<>();
    for (JournalSegment seg : holding) {
      if (!Files.exists(seg.file())) {
        gone.add(seg.file().getFileName().toString());
      }
    }
    Collections.sort(gone);
    if (!inMemory && gone.isEmpty()) {
      return null;
    }
    List<String> named = gone.size() <= 3 ? gone : List.of(gone.get(0), gone.get(1), "and " + (gone.size() - 2) + " more");
    if (inMemory && holding.isEmpty()) {
      return "they are LOST (held in memory only: the journal could not be written, or was full, when they came)";
    }
    StringBuilder fate = new StringBuilder("not all of them are in the journal; those that are not are LOST (");
    if (inMemory) {
      fate.append("some were held in memory only: the journal could not be written, or was full, when they came");
    }
    if (!gone.isEmpty()) {
      fate.append(inMemory ? "; " : "").append(gone.size() == 1 ? "the file of journal segment " : "the files of journal segments ")
          .append(String.join(", ", named)).append(gone.size() == 1 ? " is" : " are").append(" gone");
    }
    return fate.append("); those in the journal are shipped on the next start").toString();
  }
}

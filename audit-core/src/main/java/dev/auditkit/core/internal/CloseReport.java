package dev.auditkit.core.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.auditkit.core.UnshippedEventsException;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@link AsyncDispatcher#close()} says about the events it could not ship: the ids of the
 * oldest (at most {@link #REPORTED_IDS}, in the order they are added) and the journal segments
 * holding them, from which it tells whether every one is kept in the journal or which are lost and
 * why. Built and read by the closing thread alone; what it is given is read once the writer has
 * stopped or close stopped waiting for it.
 */
final class CloseReport {
  /** The most ids a report names (and that the dispatcher keeps for it beforehand). */
  static final int REPORTED_IDS = 100;
  /** The dispatcher's logger: these messages keep the name they have always been logged under. */
  private static final Logger LOG = LoggerFactory.getLogger(AsyncDispatcher.class);

  private final List<UUID> ids = new ArrayList<>();
  private final List<JournalSegment> holding = new ArrayList<>(); // null for an event held in memory only

  /** An unshipped event: its id, while there is room, and where it is held. */
  void add(QueuedEvent i) {
    addId(i.event().id());
    holding.add(i.segment());
  }

  /** The id of an unshipped event, while there is room. */
  void addId(UUID id) {
    if (ids.size() < REPORTED_IDS) {
      ids.add(id);
    }
  }

  /** Whether the report names as many ids as it can. */
  boolean full() {
    return ids.size() >= REPORTED_IDS;
  }

  /** Segments holding unshipped events. */
  void hold(Collection<JournalSegment> segments) {
    holding.addAll(segments);
  }

  /** The ids the records hold, while there is room; unreadable ones are skipped. */
  void addIds(List<JournalScan.Entry> entries) {
    for (JournalScan.Entry en : entries) {
      if (ids.size() >= REPORTED_IDS) {
        return;
      }
      try {
        JsonNode id = Json.MAPPER.readTree(en.payload()).get("id");
        if (id != null) {
          ids.add(UUID.fromString(id.asText()));
        }
      } catch (IOException | IllegalArgumentException unreadable) {
        // counted when it was read; not an id to report
      }
    }
  }

  /**
   * The ids of spilled events the writer did not read back (after every queued one: they came
   * later). Only once the writer has stopped: until then it owns the reading.
   */
  void addSpilledIds(Journal journal) {
    try {
      Journal.Spilled read;
      while (ids.size() < REPORTED_IDS && (read = journal.readSpilled(REPORTED_IDS - ids.size(), n -> { })) != null) {
        addIds(read.entries()); // the ids only, and quietly: the report must not replace the last store error
      }
    } catch (IOException e) {
      LOG.warn("auditkit journal: the ids of spilled events could not be read for the report: {}", e.toString());
    }
  }

  /**
   * The report of {@code total} unshipped events, or null when there are none. With a journal
   * ({@code journaled}), whether every holding segment is still there is looked at in any case,
   * after the journal is closed (which writes a deleted active segment again).
   */
  UnshippedEventsException exception(long total, boolean journaled, Throwable lastCause) {
    String notKept = journaled ? notKept(holding) : null;
    boolean retained = journaled && notKept == null;
    return total > 0 ? new UnshippedEventsException(total, ids, retained, notKept, lastCause) : null;
  }

  /**
   * Null when every one of these segments is still in the journal directory; otherwise which
   * unshipped events are lost, and why, for close's report: those held in memory only (a null
   * segment: the journal could not be written, or was full, when they came), or those of a segment
   * whose file is gone.
   */
  private static String notKept(List<JournalSegment> segments) {
    Map<JournalSegment, Boolean> seen = new IdentityHashMap<>();
    boolean inMemory = false;
    List<String> gone = new ArrayList<>();
    for (JournalSegment seg : segments) {
      if (seg == null) {
        inMemory = true;
      } else if (!seen.containsKey(seg)) {
        boolean there = Files.exists(seg.file());
        seen.put(seg, there);
        if (!there) {
          gone.add(seg.file().getFileName().toString());
        }
      }
    }
    if (!inMemory && gone.isEmpty()) {
      return null;
    }
    List<String> named = gone.size() <= 3 ? gone : List.of(gone.get(0), gone.get(1), "and " + (gone.size() - 2) + " more");
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

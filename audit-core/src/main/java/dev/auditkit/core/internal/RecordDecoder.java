package dev.auditkit.core.internal;

import dev.auditkit.core.AuditEvent;
import dev.auditkit.core.AuditLimits;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a journal record read back (a segment replayed from an earlier run, or spilled records)
 * into its event. A record whose checksum is valid but that does not hold a readable event is
 * counted in {@code corrupt}, reported to {@code errors} (for health) and logged; the caller skips
 * it. Used by {@link AsyncDispatcher}'s writer thread; the counter is the dispatcher's, which
 * health reads.
 */
final class RecordDecoder {
  /** The dispatcher's logger: these messages keep the name they have always been logged under. */
  private static final Logger LOG = LoggerFactory.getLogger(AsyncDispatcher.class);

  private final AtomicLong corrupt;
  private final BiConsumer<String, Throwable> errors;

  RecordDecoder(AtomicLong corrupt, BiConsumer<String, Throwable> errors) {
    this.corrupt = corrupt;
    this.errors = errors;
  }

  /** The event a journal record holds, or null (counted and reported) when it is not a readable one. */
  AuditEvent readable(JournalSegment segment, JournalScan.Entry en) {
    try {
      return EventJson.fromJson(Json.MAPPER.readTree(en.payload()), AuditLimits.unlimited());
    } catch (IOException | RuntimeException ex) {
      corrupt.incrementAndGet();
      errors.accept("journal record at " + segment.file() + ":" + en.offset() + " is not a readable event (" + ex + ")", ex);
      LOG.error("auditkit journal: record at {} offset {} has a valid checksum but is not a readable event; skipped",
          segment.file(), en.offset(), ex);
      return null;
    }
  }
}

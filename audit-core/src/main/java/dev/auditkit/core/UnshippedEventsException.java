package dev.auditkit.core;

import java.util.List;
import java.util.UUID;

/**
 * Thrown by {@link AuditLog#close()} when {@link Delivery#ASYNC} delivery could not ship every
 * event to the store within the close timeout. Names how many events were left, the oldest of
 * their ids ({@link #oldestIds()}; the message shows the first ten), and whether they are kept in the journal (shipped on the next start) or lost.
 */
public class UnshippedEventsException extends AuditException {
  private final long count;
  private final List<UUID> oldestIds;
  private final boolean retainedInJournal;

  public UnshippedEventsException(long count, List<UUID> oldestIds, boolean retainedInJournal, Throwable lastError) {
    this(count, oldestIds, retainedInJournal, null, lastError);
  }

  /**
   * @param fate what becomes of the events, for the message, when the plain words for {@code
   *     retainedInJournal} would not say it (which of them are lost, and why); null for those
   */
  public UnshippedEventsException(long count, List<UUID> oldestIds, boolean retainedInJournal, String fate,
      Throwable lastError) {
    super(message(count, oldestIds, retainedInJournal, fate, lastError), lastError);
    this.count = count;
    this.oldestIds = List.copyOf(oldestIds);
    this.retainedInJournal = retainedInJournal;
  }

  private static String message(long count, List<UUID> ids, boolean retained, String fate, Throwable lastError) {
    StringBuilder sb = new StringBuilder()
        .append(count).append(" audit event(s) were not shipped to the store before close: ")
        .append(fate != null && !fate.isBlank() ? fate
            : retained ? "they stay in the journal and are shipped on the next start"
            : "they are LOST (no journal)");
    if (!ids.isEmpty()) {
      List<UUID> shown = ids.subList(0, Math.min(10, ids.size()));
      sb.append("; oldest ids ").append(shown.size() < count ? "(first " + shown.size() + ") " : "").append(shown);
    }
    if (lastError != null) {
      sb.append("; last store error: ").append(lastError);
    }
    return sb.toString();
  }

  /** How many events were not shipped. */
  public long count() {
    return count;
  }

  /** The ids of the oldest unshipped events (at most 100), oldest first. */
  public List<UUID> oldestIds() {
    return oldestIds;
  }

  /** True when the events are safe in the journal; false when they are lost. */
  public boolean retainedInJournal() {
    return retainedInJournal;
  }
}

package dev.auditkit.core.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.UUID;

/**
 * The ids of the {@code limit} oldest events offered, by acceptance time, in constant memory
 * however many are offered: a heap with the youngest kept at its head, which an older event
 * replaces. Events accepted in the same millisecond keep the order they were offered in; an id
 * offered again (an event seen in two places while it moved between them) is kept once. Not
 * thread-safe.
 */
final class OldestIds {
  /** An event's id, with its acceptance time and the order it was offered in (for ties). */
  private record Offered(long acceptedAt, long order, UUID id) {}

  private static final Comparator<Offered> YOUNGEST_FIRST =
      Comparator.comparingLong(Offered::acceptedAt).thenComparingLong(Offered::order).reversed();

  private final int limit;
  private final PriorityQueue<Offered> kept;
  private final Set<UUID> keptIds = new HashSet<>();
  private long offered;

  OldestIds(int limit) {
    this.limit = limit;
    this.kept = new PriorityQueue<>(limit + 1, YOUNGEST_FIRST);
  }

  /** Keeps the id if it is among the {@code limit} oldest offered so far. */
  void offer(long acceptedAt, UUID id) {
    if (keptIds.contains(id)) {
      return;
    }
    Offered o = new Offered(acceptedAt, offered++, id);
    if (kept.size() < limit) {
      kept.add(o);
      keptIds.add(id);
    } else if (YOUNGEST_FIRST.compare(o, kept.peek()) > 0) { // older than the youngest kept
      keptIds.remove(kept.poll().id());
      kept.add(o);
      keptIds.add(id);
    }
  }

  /** Offers every kept id, with its time, to {@code to}, oldest first. */
  void offerTo(OldestIds to) {
    for (Offered o : sorted()) {
      to.offer(o.acceptedAt(), o.id());
    }
  }

  /** The ids kept, oldest first. */
  List<UUID> ids() {
    List<UUID> ids = new ArrayList<>(kept.size());
    sorted().forEach(o -> ids.add(o.id()));
    return ids;
  }

  private List<Offered> sorted() {
    List<Offered> sorted = new ArrayList<>(kept);
    sorted.sort(YOUNGEST_FIRST.reversed());
    return sorted;
  }
}

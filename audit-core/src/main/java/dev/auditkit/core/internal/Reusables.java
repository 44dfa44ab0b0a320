package dev.auditkit.core.internal;

import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A few reusable objects (a JSON generator, a hasher with its buffers) that a thread takes for one
 * use and puts back, instead of a ThreadLocal: the caller may be a host's pool thread (a store's
 * {@code append} in the host's transaction, the SLF4J sink), which must not keep one, its buffers
 * and so this class loader after the host redeploys; a virtual thread would never reuse one. A
 * thread that finds its slot empty (another holds it, or it is taken further up the same thread's
 * stack) makes a new one, which is put back or dropped.
 */
public final class Reusables<T> {
  private static final int SLOTS = 8; // a power of two

  private final AtomicReferenceArray<T> free = new AtomicReferenceArray<>(SLOTS);

  /** This thread's slot's object, which it now holds alone, or null when there is none. */
  public T take() {
    return free.getAndSet(slot(), null);
  }

  /** Puts {@code t} back for the next use, unless the slot was filled meanwhile. */
  public void give(T t) {
    free.compareAndSet(slot(), null, t);
  }

  /** How many objects wait in the slots (for tests). */
  int waiting() {
    int n = 0;
    for (int i = 0; i < SLOTS; i++) {
      n += free.get(i) == null ? 0 : 1;
    }
    return n;
  }

  /** Empties the slots (for tests). */
  void clear() {
    for (int i = 0; i < SLOTS; i++) {
      free.set(i, null);
    }
  }

  @SuppressWarnings("deprecation") // Thread.threadId() arrives in Java 19; getId() is the same number
  private static int slot() {
    return (int) Thread.currentThread().getId() & (SLOTS - 1);
  }
}

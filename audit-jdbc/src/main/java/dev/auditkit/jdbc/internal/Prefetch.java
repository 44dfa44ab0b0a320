package dev.auditkit.jdbc.internal;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * Runs a stream's source on a thread of its own, a bounded number of elements ahead of the
 * consumer: while the consumer works on one chunk (hashing events), the source fetches and
 * rebuilds the next rows. Order and errors are the source's: an exception in the source reaches the
 * consumer after the elements before it, and again on every later call.
 *
 * <p>The reading thread owns the source: it closes it when it ends (at the end of the data, on an
 * error, or when the consumer closed the stream), so a JDBC connection is never closed under the
 * thread that uses it. It is never interrupted (H2 closes its files on an interrupt); closing the
 * stream sets a flag that it checks between elements and while it waits for room.
 */
final class Prefetch<T> implements Iterator<T> {
  private static final int CHUNK = 256;
  private static final long OFFER_MILLIS = 100;
  private static final long STOP_WAIT_MILLIS = 30_000;
  private static final Object END = new Object();

  private final BlockingQueue<Object> chunks;
  private final Stream<T> source;
  private final Thread reader;
  private volatile boolean closed;
  private Iterator<T> current = List.<T>of().iterator();
  private boolean ended;
  private RuntimeException failure;

  private Prefetch(Stream<T> source, int chunksAhead, String name) {
    this.chunks = new ArrayBlockingQueue<>(chunksAhead + 1); // + 1: the end marker always fits
    this.source = source;
    this.reader = new Thread(this::fill, name);
    this.reader.setDaemon(true);
  }

  /** {@code source}, read ahead by up to {@code chunksAhead} chunks of 256 on a daemon thread. */
  static <T> Stream<T> of(Stream<T> source, int chunksAhead, String threadName) {
    Prefetch<T> p = new Prefetch<>(source, chunksAhead, threadName);
    try {
      p.reader.start();
    } catch (RuntimeException | Error e) {
      source.close();
      throw e;
    }
    return StreamSupport.stream(Spliterators.spliteratorUnknownSize(p, Spliterator.ORDERED), false)
        .onClose(p::stop);
  }

  private void fill() {
    Object last = END;
    try {
      Iterator<T> it = source.iterator();
      while (!closed) {
        List<T> chunk = new ArrayList<>(CHUNK);
        boolean more = true;
        try {
          while (chunk.size() < CHUNK && !closed && (more = it.hasNext())) {
            chunk.add(it.next());
          }
        } catch (RuntimeException | Error e) {
          last = e; // the elements before it still go first
          more = false;
        }
        if (!chunk.isEmpty() && !put(chunk)) {
          return;
        }
        if (!more) {
          return;
        }
      }
    } catch (RuntimeException | Error e) {
      last = e;
    } finally {
      if (!closed) {
        put(last);
      }
      source.close();
    }
  }

  /** Waits for room; false when the consumer closed the stream meanwhile. */
  private boolean put(Object item) {
    try {
      while (!closed) {
        if (chunks.offer(item, OFFER_MILLIS, TimeUnit.MILLISECONDS)) {
          return true;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // nobody interrupts this thread; keep the flag if someone did
    }
    return false;
  }

  /** Asks the reader to stop and waits (bounded) until it has, and with it closed the source. */
  private void stop() {
    closed = true;
    chunks.clear(); // a reader waiting for room sees the flag at its next try
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STOP_WAIT_MILLIS);
    boolean interrupted = false;
    while (reader.isAlive()) {
      long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
      if (left <= 0) {
        break; // the reader closes the source itself when its current fetch returns
      }
      try {
        reader.join(left);
      } catch (InterruptedException e) {
        interrupted = true; // finish waiting: closing must not race the reader
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  @SuppressWarnings("unchecked")
  public boolean hasNext() {
    while (!current.hasNext()) {
      if (failure != null) {
        throw failure;
      }
      if (ended) {
        return false;
      }
      Object next;
      try {
        next = chunks.take();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while reading ahead", e);
      }
      if (next == END) {
        ended = true;
      } else if (next instanceof RuntimeException e) {
        failure = e;
      } else if (next instanceof Error e) {
        failure = new IllegalStateException("reading ahead failed: " + e, e);
        throw e;
      } else {
        current = ((List<T>) next).iterator();
      }
    }
    return true;
  }

  @Override
  public T next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    return current.next();
  }
}

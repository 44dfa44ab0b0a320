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
 * consumer: while the consumer works on one chunk (rebuilding and hashing events), the source
 * fetches the next rows from the database. Order, errors and closing are the source's: an
 * exception in the source is thrown to the consumer at the same position; closing the returned
 * stream stops the reading thread before the source is closed (a JDBC connection must not be
 * closed under a thread that uses it).
 */
final class Prefetch<T> implements Iterator<T> {
  private static final int CHUNK = 256;
  private static final Object END = new Object();

  private final BlockingQueue<Object> chunks;
  private final Thread reader;
  private volatile boolean closed;
  private Iterator<T> current = List.<T>of().iterator();
  private boolean ended;

  private Prefetch(Iterator<T> source, int chunksAhead, String name) {
    this.chunks = new ArrayBlockingQueue<>(chunksAhead);
    this.reader = new Thread(() -> fill(source), name);
    this.reader.setDaemon(true);
  }

  /** {@code source}, read ahead by up to {@code chunksAhead} chunks of 256 on a daemon thread. */
  static <T> Stream<T> of(Stream<T> source, int chunksAhead, String threadName) {
    Prefetch<T> p = new Prefetch<>(source.iterator(), chunksAhead, threadName);
    p.reader.start();
    return StreamSupport.stream(Spliterators.spliteratorUnknownSize(p, Spliterator.ORDERED), false)
        .onClose(() -> {
          p.stop();
          source.close();
        });
  }

  private void fill(Iterator<T> source) {
    try {
      while (!closed) {
        List<T> chunk = new ArrayList<>(CHUNK);
        Throwable failure = null;
        try {
          while (chunk.size() < CHUNK && source.hasNext()) {
            chunk.add(source.next());
          }
        } catch (RuntimeException | Error e) {
          failure = e; // the elements before it still go first
        }
        if (!chunk.isEmpty()) {
          chunks.put(chunk);
        }
        if (failure != null) {
          chunks.put(failure);
          return;
        }
        if (chunk.size() < CHUNK) {
          chunks.put(END);
          return;
        }
      }
    } catch (InterruptedException e) {
      // stopped by close
    }
  }

  private void stop() {
    closed = true;
    reader.interrupt();
    try {
      reader.join(TimeUnit.SECONDS.toMillis(30));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  @SuppressWarnings("unchecked")
  public boolean hasNext() {
    while (!current.hasNext()) {
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
        return false;
      }
      if (next instanceof RuntimeException e) {
        ended = true;
        throw e;
      }
      if (next instanceof Error e) {
        ended = true;
        throw e;
      }
      current = ((List<T>) next).iterator();
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

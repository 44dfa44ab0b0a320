package dev.auditkit.core;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A test sink over {@link InMemoryAuditStore} that can be held closed (writes wait), made to fail,
 * and that records the size of each batch and how many writes were attempted.
 */
final class GatedSink implements AuditSink {
  final InMemoryAuditStore store = new InMemoryAuditStore();
  final List<Integer> batchSizes = new CopyOnWriteArrayList<>();
  final AtomicInteger attempts = new AtomicInteger();
  final AtomicInteger closes = new AtomicInteger();
  private volatile CountDownLatch gate = new CountDownLatch(0);
  private volatile int failuresLeft;
  private volatile boolean failing;

  GatedSink hold() {
    gate = new CountDownLatch(1);
    return this;
  }

  void release() {
    gate.countDown();
  }

  GatedSink failFirst(int n) {
    failuresLeft = n;
    return this;
  }

  GatedSink failAlways(boolean on) {
    failing = on;
    return this;
  }

  @Override
  public void write(List<AuditEvent> events) {
    attempts.incrementAndGet();
    try {
      gate.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AuditWriteException("interrupted");
    }
    if (failing) {
      throw new AuditWriteException("store is down (test)");
    }
    synchronized (this) {
      if (failuresLeft > 0) {
        failuresLeft--;
        throw new AuditWriteException("store is down (test), " + failuresLeft + " failures left");
      }
    }
    batchSizes.add(events.size());
    store.write(new ArrayList<>(events));
  }

  @Override
  public void close() {
    closes.incrementAndGet();
  }
}

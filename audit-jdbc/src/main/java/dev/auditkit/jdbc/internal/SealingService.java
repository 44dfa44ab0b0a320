package dev.auditkit.jdbc.internal;

import dev.auditkit.core.AuditWriteException;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs {@link Sealer} passes: on a background thread at a fixed delay, and on demand. One pass at a
 * time per store instance; other instances coordinate through the database's chain locks.
 */
public final class SealingService implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SealingService.class);

  private final Sealer sealer;
  private final Checkpointing checkpointing;
  private final Clock clock;
  private final Duration interval;
  private final ReentrantLock passLock = new ReentrantLock();
  private ScheduledExecutorService executor;
  private volatile String lastError;
  private int failuresInARow;
  private long nextAttemptNanos;

  public SealingService(Sealer sealer, Checkpointing checkpointing, Clock clock, Duration interval) {
    this.sealer = sealer;
    this.checkpointing = checkpointing;
    this.clock = clock;
    this.interval = interval;
  }

  public synchronized void start() {
    if (executor != null) {
      return;
    }
    executor = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "auditkit-sealer");
      t.setDaemon(true);
      return t;
    });
    executor.scheduleWithFixedDelay(this::backgroundPass, interval.toMillis(), interval.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  private void backgroundPass() {
    if (failuresInARow > 0 && System.nanoTime() < nextAttemptNanos) {
      return; // backing off while the database is unreachable or the schema is gone
    }
    try {
      Sealer.Pass p;
      do {
        p = pass();
      } while (p.more() && (p.sealed() > 0 || p.registered()));
      if (failuresInARow > 0) {
        LOG.info("auditkit: sealing works again after {} failed pass(es)", failuresInARow);
      }
      failuresInARow = 0;
      lastError = null;
    } catch (SQLException | RuntimeException e) {
      failuresInARow++;
      lastError = e.toString();
      long backoff = Math.min(interval.toNanos() << Math.min(failuresInARow, 16), Duration.ofSeconds(30).toNanos());
      nextAttemptNanos = System.nanoTime() + backoff;
      // a race with another sealer (serialization, unique key) or an outage: the next pass retries
      if (failuresInARow == 1 || failuresInARow % 20 == 0) {
        LOG.warn("auditkit: sealing pass failed ({} in a row), retrying: {}", failuresInARow, e.toString());
      }
    }
  }

  private Sealer.Pass pass() throws SQLException {
    passLock.lock();
    try {
      Sealer.Pass p = sealer.sealOnce();
      checkpointing.publish(p.checkpoints());
      return p;
    } finally {
      passLock.unlock();
    }
  }

  /** Seals until nothing committed is left unsealed; waits for chains other instances hold. */
  public int sealNow(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    int total = 0;
    SQLException last = null;
    while (true) {
      try {
        Sealer.Pass p = pass();
        total += p.sealed();
        if (!p.more() && sealer.oldestUnsealed() == null) {
          return total;
        }
        last = null;
        if (p.sealed() == 0 && !p.registered()) {
          sleep(); // another instance holds a chain we need
        }
      } catch (SQLException e) {
        last = e; // typically a race with another sealer: try again
        sleep();
      }
      if (System.nanoTime() > deadline) {
        throw new AuditWriteException("sealing did not finish within " + timeout
            + (last != null ? ": " + last.getMessage() : ""), last);
      }
    }
  }

  /** Age of the oldest committed, unsealed event; zero when there is none. */
  public Duration lag() {
    try {
      Instant oldest = sealer.oldestUnsealed();
      if (oldest == null) {
        return Duration.ZERO;
      }
      Duration d = Duration.between(oldest, clock.instant());
      return d.isNegative() ? Duration.ZERO : d;
    } catch (SQLException e) {
      throw new AuditWriteException("reading the sealing lag failed: " + e.getMessage(), e);
    }
  }

  /** The last background pass's error, or null when it succeeded. */
  public String lastError() {
    return lastError;
  }

  private static void sleep() {
    try {
      Thread.sleep(20);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AuditWriteException("interrupted while sealing", e);
    }
  }

  /**
   * Stops the background sealer and, if it ran, seals once more what is committed now, for up to
   * {@code timeout}: the last events written before a shutdown are then sealed by this instance
   * instead of waiting for the next sealer to run. Chains another instance holds are left to it.
   * Never throws: what is left is logged, and sealed by the next sealer.
   */
  public void closeSealing(Duration timeout) {
    boolean background;
    synchronized (this) {
      background = executor != null;
    }
    boolean stopped = stop();
    if (!background || timeout.isZero()) {
      return; // sealing is the host's (sealInterval(null)), or not wanted on close
    }
    if (!stopped || failuresInARow > 0) {
      // a pass stuck in the database, or the database failing: another pass would wait on the same, and close must not
      LOG.warn("auditkit: no sealing pass on close ({}); unsealed events are sealed by the next sealer to run",
          stopped ? "the last background pass failed: " + lastError : "a background pass is still running");
      return;
    }
    // on a thread of its own, waited for at most the timeout: a statement blocked by a lock or a
    // hung server would otherwise hold close (and the host's shutdown) for as long as it lasts
    long deadline = System.nanoTime() + timeout.toNanos();
    Thread last = new Thread(() -> {
      try {
        Sealer.Pass p;
        do {
          p = pass();
        } while (p.more() && (p.sealed() > 0 || p.registered()) && System.nanoTime() - deadline < 0);
      } catch (SQLException | RuntimeException e) {
        LOG.warn("auditkit: the last sealing pass on close failed ({}); the events it did not seal are sealed by the "
            + "next sealer to run", e.toString());
      }
    }, "auditkit-close-sealer");
    last.setDaemon(true);
    last.start();
    try {
      last.join(Math.max(1, timeout.toMillis()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // close returns; the pass goes on or fails with the pool
      return;
    }
    if (last.isAlive()) {
      LOG.warn("auditkit: the last sealing pass on close did not finish within {}; close goes on without it, and the "
          + "next sealer to run seals what it did not", timeout);
    }
  }

  @Override
  public void close() {
    stop();
  }

  /** Stops the background sealer; false when a pass was still running after 10 s (it is interrupted). */
  private synchronized boolean stop() {
    boolean stopped = true;
    if (executor != null) {
      executor.shutdown();
      try {
        if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
          executor.shutdownNow();
          stopped = false;
        }
      } catch (InterruptedException e) {
        executor.shutdownNow();
        Thread.currentThread().interrupt();
        stopped = false;
      }
      executor = null;
    }
    return stopped;
  }
}

package dev.auditkit.core.internal;

import dev.auditkit.core.AuditEvent;
import dev.auditkit.core.AuditSink;
import dev.auditkit.core.AuditWriteException;
import dev.auditkit.core.OverflowPolicy;
import dev.auditkit.core.UnshippedEventsException;
import java.io.IOException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.file.NoSuchFileException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ASYNC pipeline behind {@code AuditLog}: callers {@link #submit} built events (journaling
 * them first when a journal is configured) into a bounded queue; one writer thread ships them to
 * the sink in batches — by size, or after a short delay — retrying with backoff while the sink
 * fails, and tells each journal segment how many of its events are committed so that the segment
 * is removed once all are. Segments left by an earlier run are shipped by the same thread,
 * alternating with fresh batches.
 */
public final class AsyncDispatcher {
  private static final Logger LOG = LoggerFactory.getLogger(AsyncDispatcher.class);
  private static final long IDLE_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
  /** Longest nap while a batch fills, so that a batch that filled up early is not held back long. */
  private static final long MAX_NAP_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
  /** The spill counters without a journal. */
  private static final Journal.SpillCounts NO_SPILL = new Journal.SpillCounts(0, 0, Long.MAX_VALUE);
  /** Failed reads of a spilled segment in a row before it is given up for this run. */
  private static final int SPILL_READ_ATTEMPTS = 5;

  /**
   * Memory-only events the writer itself recorded (from inside {@code AuditSink.write}) while the
   * queue was full; it ships them next, rather than wait for room only it can make.
   */
  private final ConcurrentLinkedQueue<QueuedEvent> ownOverflow = new ConcurrentLinkedQueue<>();
  private boolean writerInterruptLogged; // writer thread only

  /** An event the store refused, and why. */
  private record Refusal(QueuedEvent item, Throwable cause) {}

  private final AuditSink sink;
  private final Journal journal;
  private final AsyncSettings settings;
  private final Clock clock;
  private final BlockingQueue<QueuedEvent> queue;
  private final Backoff backoff;
  private final Thread writer;
  private final Object wakeup = new Object();
  private final AtomicBoolean closeCalled = new AtomicBoolean();
  private final AtomicLong unshipped = new AtomicLong();
  private final AtomicLong shipped = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong corrupt = new AtomicLong();
  /**
   * Events the store refused, set aside and offered again every {@code retryMax}; bounded by the
   * queue capacity (a journaled one beyond it waits in the journal for the next start: {@link
   * #refusedInJournal}).
   */
  private final List<QueuedEvent> setAside = Collections.synchronizedList(new ArrayList<>());
  /**
   * Journaled events taken back from the queue of a stopped writer (the caller was refused, the
   * journal keeps them): the oldest of them and their segments, for close's report. The ids are
   * bounded however long callers go on, the segments by the journal's capacity (a stopped writer
   * removes none); guarded by itself.
   */
  private final OldestIds takenBack = new OldestIds(CloseReport.REPORTED_IDS);
  private final Set<JournalSegment> takenBackSegments = Collections.newSetFromMap(new IdentityHashMap<>());
  private final RefusedInJournal refusedInJournal = new RefusedInJournal();
  /**
   * The oldest acceptance time (the clock's millis) of the set-aside events and of the batch in
   * flight, for the health age (with that of the refused events held only by the journal); both
   * are written under the set-aside lock, so that an event moving between them is always in one.
   */
  private long setAsideOldest = Long.MAX_VALUE;
  private long inflightOldest = Long.MAX_VALUE;
  /** When set-aside events are next offered to the store again (writer thread only). */
  private long reofferAt;
  /** Callers waiting for room in the full queue (see awaitRoom), and what they wait on. */
  private final AtomicInteger roomWaiters = new AtomicInteger();
  private final Object room = new Object();
  /** Callers waiting for queue space under OverflowPolicy.BLOCK (no usable journal). */
  private final AtomicInteger blockedCallers = new AtomicInteger();
  private final long spillAfterNanos;
  /** When the store write under way started (System.nanoTime), or 0 (see keepingUp). */
  private volatile long writeStartedAt;
  /** Batches the writer has taken, from the queue or read back from a spill (callers held to its pace wait for the next). */
  private final AtomicLong batchesTaken = new AtomicLong();
  /** Failed reads of spilled records in a row (written by the writer thread; health counts them as failures). */
  private volatile int spillReadFailures;
  private final AtomicLong lastDropLog = new AtomicLong(Long.MIN_VALUE);
  private volatile boolean closing;
  /** Calls of {@link #submit} under way: close waits for them, so none queues behind its back. */
  private final AtomicInteger submitting = new AtomicInteger();
  private volatile boolean writerDone;
  private volatile long closeDeadline;
  private volatile long consecutiveFailures;
  private volatile String lastError;
  private volatile Instant lastErrorAt;
  private volatile Throwable lastCause;
  private volatile List<QueuedEvent> inflight = List.of();
  /** Reads journal records back into events (spilled ones here; the replay's too). */
  private final RecordDecoder decoder;
  /** Segments left by an earlier run, shipped by the writer thread. */
  private final JournalReplay replay;

  public AsyncDispatcher(AuditSink sink, AsyncSettings settings, Clock clock) {
    this.sink = sink;
    this.settings = settings;
    this.spillAfterNanos = settings.spillAfter().toNanos();
    this.clock = clock;
    this.queue = new LinkedBlockingQueue<>(settings.queueCapacity());
    this.backoff = new Backoff(settings.retryMin(), settings.retryMax());
    this.decoder = new RecordDecoder(corrupt, this::error);
    List<Journal.Recovered> recovered;
    if (settings.journal() != null) {
      this.journal = Journal.open(settings.journal(), settings.durability(), settings.segmentBytes(),
          settings.journalCapacity(), this::error);
      recovered = journal.recovered();
      this.corrupt.set(journal.corruptRecords());
      recovered.forEach(r -> unshipped.addAndGet(r.records()));
    } else {
      this.journal = null;
      recovered = List.of();
    }
    this.replay = new JournalReplay(recovered, settings.batchSize(), decoder, unshipped, this::error, this::gathering);
    this.writer = new Thread(this::run, "auditkit-writer");
    writer.setDaemon(true);
    writer.start();
  }

  /**
   * Accepts a built event: journals it (durable at the configured level when this returns) and
   * queues it, waiting for room ({@link OverflowPolicy#BLOCK}) or dropping and counting it.
   *
   * @throws IllegalStateException after {@link #close}
   */
  public void submit(AuditEvent event) {
    submitting.incrementAndGet(); // close waits for calls past the check below (see close)
    try {
      enqueue(event);
    } finally {
      submitting.decrementAndGet();
    }
  }

  private void enqueue(AuditEvent event) {
    if (closing) {
      throw new IllegalStateException("AuditLog is closed: event " + event.id() + " was not recorded");
    }
    long now = clock.millis();
    byte[] record = journal == null ? null : EventJson.bytes(event);
    unshipped.incrementAndGet();
    if (journal != null) {
      // queued under the journal's lock when there is room; otherwise the journal alone holds it
      // (spilled) and the writer reads it back from there: a caller waits only for a writer that
      // is busy (up to spillAfter), or when the journal cannot be written either
      QueuedEvent[] queued = new QueuedEvent[1];
      long[] acceptedAt = {now}; // a caller that waited for room is accepted when it got it
      Journal.HandOff handOff = new Journal.HandOff() {
        @Override
        public boolean offer(JournalSegment seg) {
          return queue.offer(queued[0] = new QueuedEvent(event, seg, acceptedAt[0]));
        }

        @Override
        public boolean hasRoom() {
          return queue.remainingCapacity() > 0;
        }
      };
      Journal.Appended a;
      // (the writer itself, appending from inside AuditSink.write, would wait for its own room)
      boolean ratherWait = spillAfterNanos > 0 && !onWriterThread();
      long deadline = 0;
      boolean wasSpilling = journal.spilling();
      if (ratherWait && wasSpilling && !journal.degraded() && keepingUp()) {
        // a spill that a working writer is reading back: the caller waits for its next batch, so
        // that callers go at the writer's pace until the spill ends (otherwise callers that outrun
        // the writer keep it going until the load drops, and each event costs a read-back). Not
        // while the journal cannot be written: the event then stays in memory, spilling nothing
        deadline = System.nanoTime() + spillAfterNanos;
        awaitReadBack(deadline);
        acceptedAt[0] = Math.max(acceptedAt[0], clock.millis());
      }
      while ((a = journal.append(acceptedAt[0], record, handOff, ratherWait)) == Journal.NO_ROOM) {
        if (deadline == 0) {
          deadline = System.nanoTime() + spillAfterNanos; // (0 only by a 1-in-2^64 chance: one more wait)
        }
        awaitRoom(deadline);
        // journal records stay in acceptance order: the time is taken again after the wait
        acceptedAt[0] = Math.max(acceptedAt[0], clock.millis());
        // a caller interrupted, or woken by close or a stopped writer, does not wait again: its event
        // is spilled (and, with the writer stopped, taken back below)
        ratherWait = System.nanoTime() - deadline < 0 && !Thread.currentThread().isInterrupted() && !closing
            && !writerDone;
      }
      if (a != null) {
        if (a.spilled()) {
          if (!wasSpilling) {
            madeRoom(); // this call started a spill: callers waiting for room spill too now
          }
          refuseIfWriterStopped(event, true);
        } else {
          refuseIfWriterStopped(queued[0]);
        }
        return;
      }
    }
    QueuedEvent item = new QueuedEvent(event, null, now);
    if (queue.offer(item)) {
      refuseIfWriterStopped(item);
      return;
    }
    if (settings.overflow() == OverflowPolicy.DROP_COUNTED) {
      unshipped.decrementAndGet();
      drop(event);
      return;
    }
    if (onWriterThread()) {
      // recording from inside AuditSink.write into a full queue: the writer would wait for room
      // only it can make. It keeps the event itself and ships it with its next batch
      ownOverflow.add(item);
      return;
    }
    boolean interrupted = false;
    blockedCallers.incrementAndGet();
    try {
      while (true) {
        try {
          if (queue.offer(item, 50, TimeUnit.MILLISECONDS)) {
            refuseIfWriterStopped(item);
            return;
          }
        } catch (InterruptedException e) {
          interrupted = true; // an audit event is not given up on an interrupt; the flag is restored
        }
        if (closing || writerDone) {
          unshipped.decrementAndGet();
          throw new IllegalStateException("AuditLog was closed while event " + event.id() + " waited for queue space "
              + "(held in memory only: no journal, or it could not be written): it was not recorded");
        }
      }
    } finally {
      blockedCallers.decrementAndGet();
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * The writer thread stopped (it failed; a close in progress is refused before this): nobody will
   * ship what is queued now, so the event is taken back and the call fails rather than return.
   */
  private void refuseIfWriterStopped(QueuedEvent item) {
    if (writerDone && !closing && queue.remove(item)) {
      if (item.segment() != null) {
        synchronized (takenBack) { // in no queue now: close's report would neither name nor place it
          takenBack.offer(item.acceptedAt(), item.event().id());
          takenBackSegments.add(item.segment());
        }
      }
      refuseIfWriterStopped(item.event(), item.segment() != null);
    }
  }

  /**
   * A journaled event stays counted as unshipped: the journal keeps it, close reports it and the
   * next start ships it (and a spilled one the writer shipped just before it stopped was counted
   * off there, so it is not counted off twice). A memory-only one is gone.
   */
  private void refuseIfWriterStopped(AuditEvent event, boolean journaled) {
    if (writerDone && !closing) {
      if (!journaled) {
        unshipped.decrementAndGet();
      }
      throw new IllegalStateException("the ASYNC writer thread has stopped (" + lastError + "): event " + event.id()
          + (journaled ? " is in the journal and is shipped on the next start" : " was not recorded"));
    }
  }

  private void drop(AuditEvent event) {
    long n = dropped.incrementAndGet();
    error("queue full (" + settings.queueCapacity() + "): event " + event.id() + " dropped, " + n + " in total", null);
    long now = System.nanoTime();
    long last = lastDropLog.get();
    if (last == Long.MIN_VALUE || now - last > TimeUnit.SECONDS.toNanos(10)) {
      if (lastDropLog.compareAndSet(last, now)) {
        LOG.error("auditkit: ASYNC queue full ({} events): dropped audit event {} (action {}); {} dropped so far "
            + "(OverflowPolicy.DROP_COUNTED; logged at most every 10 s)", settings.queueCapacity(), event.id(),
            event.action(), n);
      }
    }
  }

  private void error(String message, Throwable cause) {
    lastError = message;
    if (cause != null) {
      lastCause = cause; // close's report names the last exception, not a later message without one
    }
    lastErrorAt = clock.instant();
  }

  // ---------------------------------------------------------------- writer thread

  private void run() {
    boolean preferReplay = true;
    boolean preferSpill = true;
    try {
      while (true) {
        boolean replayLeft = replay.hasMore();
        List<QueuedEvent> batch = List.of();
        if (!closing && !setAside.isEmpty() && System.nanoTime() - reofferAt >= 0) {
          synchronized (setAside) { // the store may take them now (a constraint fixed, a row it needed arrived)
            batch = new ArrayList<>(setAside);
            inflight(batch, setAsideOldest);
            setAside.clear();
            setAsideOldest = Long.MAX_VALUE;
          }
        }
        if (batch.isEmpty() && !ownOverflow.isEmpty()) {
          List<QueuedEvent> own = new ArrayList<>();
          for (QueuedEvent i; (i = ownOverflow.poll()) != null; ) {
            own.add(i);
          }
          gathering(own.get(0).acceptedAt()); // health's age keeps covering them
          batch = own;
        }
        if (batch.isEmpty() && preferReplay && replayLeft) {
          batch = replay.nextBatch();
        }
        if (journal != null) {
          journal.watch(); // once a second: is the active segment's file still there (appends look too)
        }
        boolean spilled = journal != null && journal.spilling();
        // spilled records are read once the queue is empty: what it holds was journaled before them.
        // But while the journal cannot be written the queue fills with newer, memory-only events that
        // would starve the spilled ones (and their segments, whose removal makes room again): then
        // the two take turns
        boolean spillTried = false;
        if (batch.isEmpty() && spilled && journal.degraded()) {
          QueuedEvent head = queue.peek(); // journaled queue items are older than every spilled record
          if (preferSpill && (head == null || head.segment() == null)) {
            batch = spillBatch();
            spillTried = true;
          }
          preferSpill = !preferSpill;
        }
        if (batch.isEmpty()) {
          batch = queueBatch(replayLeft || spilled ? 0 : IDLE_POLL_NANOS);
        }
        if (batch.isEmpty() && spilled && !spillTried) {
          batch = spillBatch();
        }
        if (batch.isEmpty() && replayLeft) {
          batch = replay.nextBatch();
        }
        preferReplay = !preferReplay;
        if (batch.isEmpty()) {
          // submitting before the queue: a call still under way when close began may yet queue an
          // event, and later calls see closing and refuse theirs
          if (closing && submitting.get() == 0 && queue.isEmpty() && ownOverflow.isEmpty() && !replay.hasMore()
              && (journal == null || !journal.spilling())) {
            return;
          }
          if (closing && pastCloseDeadline()) {
            return; // close names what is left (spilled events stay in the journal)
          }
          continue;
        }
        if (inflight != batch) {
          inflight(batch, batch.get(0).acceptedAt()); // replayed and queued batches are in acceptance order
        }
        if (pastCloseDeadline()) {
          return;
        }
        Set<QueuedEvent> done = Collections.newSetFromMap(new IdentityHashMap<>());
        List<Refusal> refusedItems = new ArrayList<>();
        boolean complete = ship(batch, done, refusedItems);
        setAside(refusedItems);
        refusedItems.forEach(r -> done.add(r.item()));
        if (!complete) {
          inflight = batch.stream().filter(i -> !done.contains(i)).toList(); // for close's report
          return;
        }
        inflight(List.of(), Long.MAX_VALUE);
      }
    } catch (RuntimeException | Error e) {
      error("writer thread stopped: " + e, e);
      LOG.error("auditkit: the ASYNC writer thread stopped unexpectedly; undelivered events stay in the journal "
          + "if one is configured", e);
    } finally {
      writerDone = true;
      madeRoom();
    }
  }

  /**
   * Waits, until {@code deadline} (spillAfter from the call), for the writer to take events from the
   * full queue; the caller then tries to journal and queue its event again. A writer that makes room
   * a batch at a time keeps callers at its pace this way; one that does not (the store is down or
   * very slow) has them spill, and while spilling nobody waits. Not on the journal's lock, which
   * callers that find room need.
   */
  private void awaitRoom(long deadline) {
    awaitWriter(deadline, () -> queue.remainingCapacity() == 0 && !journal.spilling());
  }

  /**
   * Whether the writer works: no store failure and no failed read of spilled records in a row, and
   * no store write under way for longer than spillAfter. Only then are callers held to its pace
   * while it reads a spill back; for a failing or hanging store, or a spill it cannot read, they
   * spill freely.
   */
  private boolean keepingUp() {
    long started = writeStartedAt;
    return consecutiveFailures == 0 && spillReadFailures == 0
        && (started == 0 || System.nanoTime() - started < spillAfterNanos);
  }

  /**
   * Waits, until {@code deadline}, for the writer to take its next batch (queued events go first,
   * then spilled ones are read back), or for the spill to end.
   */
  private void awaitReadBack(long deadline) {
    long seen = batchesTaken.get();
    awaitWriter(deadline, () -> batchesTaken.get() == seen && journal.spilling());
  }

  /**
   * Waits on {@link #room} while {@code waiting} holds, until {@code deadline}, or until the log
   * closes or the writer stops. An interrupt ends the wait (the flag is kept): the caller's event is
   * still journaled, spilled if need be, never given up.
   */
  private void awaitWriter(long deadline, BooleanSupplier waiting) {
    roomWaiters.incrementAndGet();
    try {
      synchronized (room) {
        while (waiting.getAsBoolean() && !closing && !writerDone) {
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            return;
          }
          room.wait(left / 1_000_000, (int) (left % 1_000_000));
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      roomWaiters.decrementAndGet();
    }
  }

  /** Wakes callers waiting in {@link #awaitWriter} (the writer took events, a spill started, the log closes). */
  private void madeRoom() {
    if (roomWaiters.get() > 0) {
      synchronized (room) {
        room.notifyAll();
      }
    }
  }

  private List<QueuedEvent> queueBatch(long pollNanos) {
    QueuedEvent first;
    try {
      first = pollNanos == 0 ? queue.poll() : queue.poll(pollNanos, TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      interruptedWriter();
      return List.of();
    }
    if (first == null) {
      return List.of();
    }
    int size = settings.batchSize();
    List<QueuedEvent> batch = new ArrayList<>(Math.min(size, 1024));
    batch.add(first);
    gathering(first.acceptedAt()); // no longer queued, not yet in flight: health still counts it
    queue.drainTo(batch, size - 1);
    batchesTaken.incrementAndGet();
    madeRoom();
    long delay = settings.batchDelay().toNanos();
    if (batch.size() < size && delay > 0 && !closing) {
      // nap instead of waiting on the queue: a writer waiting there is woken by every single event,
      // and the wake-up (a system call) would be paid on the caller's thread
      long deadline = System.nanoTime() + delay;
      // (a full queue ends the nap too: with a capacity below the batch size it never holds a batch)
      while (!closing && queue.size() < size - batch.size() && queue.remainingCapacity() > 0) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          break;
        }
        LockSupport.parkNanos(Math.min(left, MAX_NAP_NANOS));
        if (Thread.interrupted()) {
          interruptedWriter(); // (the nap ends: the batch goes as it is)
          break;
        }
      }
      queue.drainTo(batch, size - batch.size());
    }
    madeRoom();
    return batch;
  }

  /**
   * The next events the journal alone holds (spilled while the queue was full), read back from
   * their segment; empty when none are left, or when reading failed (reported and counted as a
   * failure; retried after a pause, and after {@link #SPILL_READ_ATTEMPTS} failures in a row, or
   * at once when the file is gone, the segment is given up for this run and left for the next).
   */
  private List<QueuedEvent> spillBatch() {
    gathering(journal.spillOldest()); // no older than the first record read: health's age covers the read
    if (Thread.interrupted()) {
      interruptedWriter(); // the read below would fail on it (and close the file it reads through)
    }
    Journal.Spilled read;
    try {
      read = journal.readSpilled(settings.batchSize(), this::lostFromJournal);
      spillReadFailures = 0;
      batchesTaken.incrementAndGet();
      madeRoom(); // callers held to the writer's pace go on (and, once the spill ended, queue again)
    } catch (ClosedByInterruptException e) {
      Thread.interrupted();
      interruptedWriter(); // not a failure of the journal: read again at once
      read = null;
    } catch (IOException e) {
      error("spilled journal records cannot be read back (" + e + ")", e);
      if (e instanceof NoSuchFileException || ++spillReadFailures >= SPILL_READ_ATTEMPTS) {
        spillReadFailures = 0;
        journal.abandonSpilledSegment(this::lostFromJournal);
        madeRoom(); // the spill may have ended with it
      } else {
        LOG.error("auditkit journal: reading spilled events back failed; retrying in a second", e);
        pause(TimeUnit.SECONDS.toNanos(1));
      }
      read = null;
    }
    List<QueuedEvent> items = new ArrayList<>();
    if (read != null) {
      for (JournalScan.Entry en : read.entries()) {
        AuditEvent e = decoder.readable(read.segment(), en);
        if (e == null) {
          unshipped.decrementAndGet(); // counted, reported and skipped like a damaged record at start
          read.segment().shipped(1);
        } else {
          items.add(new QueuedEvent(e, read.segment(), en.acceptedAt()));
        }
      }
    }
    if (items.isEmpty()) {
      synchronized (setAside) {
        if (inflight.isEmpty()) {
          inflightOldest = Long.MAX_VALUE; // nothing was gathered after all
        }
      }
    }
    return items;
  }

  /** Journaled events that cannot be read back (damaged, or their file gone): counted, not shipped. */
  private void lostFromJournal(long n) {
    corrupt.addAndGet(n);
    unshipped.addAndGet(-n);
  }

  /**
   * Writes a batch until the sink takes it, retrying with backoff while it fails, and acknowledges
   * what it wrote (adding it to {@code written}). When the sink refuses events for what they hold
   * ({@link AuditWriteException#refused()}), the batch is halved and each half written on its own,
   * down to single events; those the sink refuses go to {@code refusedOut}. False when closing ran
   * out of time first.
   */
  private boolean ship(List<QueuedEvent> batch, Set<QueuedEvent> written, List<Refusal> refusedOut) {
    List<AuditEvent> events = new ArrayList<>(batch.size());
    for (QueuedEvent i : batch) {
      events.add(i.event());
    }
    int attempt = 0;
    while (true) {
      try {
        writeStartedAt = System.nanoTime() | 1; // never 0, which means "not writing"
        try {
          sink.write(events);
        } finally {
          writeStartedAt = 0;
          if (Thread.interrupted()) {
            interruptedWriter(); // a sink that restored an interrupt before it threw, say
          }
        }
        shipped.addAndGet(events.size());
        unshipped.addAndGet(-events.size());
        acknowledge(batch);
        written.addAll(batch);
        if (consecutiveFailures > 0) {
          LOG.info("auditkit: store writes succeed again after {} failed attempt(s)", consecutiveFailures);
          consecutiveFailures = 0;
        }
        return true;
      } catch (VirtualMachineError e) {
        throw e;
      } catch (RuntimeException | Error e) {
        if (e instanceof AuditWriteException w && w.refused()) {
          if (batch.size() > 1) {
            int half = batch.size() / 2;
            return ship(batch.subList(0, half), written, refusedOut)
                && ship(batch.subList(half, batch.size()), written, refusedOut);
          }
          QueuedEvent only = batch.get(0);
          if (only.segment() != null || setAside.size() + refusedOut.size() < settings.queueCapacity()) {
            refusedOut.add(new Refusal(only, e));
            return true;
          }
          // no journal and no room left to set it aside: it is retried like any failure
        }
        long failures = ++consecutiveFailures;
        error("store write failed: " + e, e);
        if (failures == 1 || failures % 50 == 0) {
          LOG.warn("auditkit: writing {} audit events to the store failed ({} attempt(s) in a row); retrying with "
              + "backoff: {}", events.size(), failures, e.toString());
        }
      }
      long wait = backoff.delayNanos(attempt++);
      if (closing) {
        if (pastCloseDeadline()) {
          return false;
        }
        wait = Math.min(wait, closeDeadline - System.nanoTime());
      }
      pause(wait);
    }
  }

  /**
   * Events the store refused: logged, counted and kept (here, and in the journal if they are in
   * it), never dropped; offered to the store again after {@code retryMax}.
   */
  private void setAside(List<Refusal> refusals) {
    if (refusals.isEmpty()) {
      return;
    }
    reofferAt = System.nanoTime() + settings.retryMax().toNanos();
    for (Refusal r : refusals) {
      QueuedEvent i = r.item();
      Throwable why = r.cause();
      String cause = why.getMessage();
      error("the store refused audit event " + i.event().id() + " (" + i.event().action() + "): " + cause, why);
      boolean held;
      synchronized (setAside) {
        held = i.segment() == null || setAside.size() < settings.queueCapacity();
        if (held) {
          setAside.add(i);
          setAsideOldest = Math.min(setAsideOldest, i.acceptedAt());
        }
      }
      if (!held) {
        refusedInJournal.add(i);
      }
      LOG.error("auditkit: the store refused audit event {} (action {}) for what it holds: {}; the other events are "
          + "shipped; it is {}", i.event().id(), i.event().action(), cause, held
              ? "set aside and offered to the store again every " + settings.retryMax().toSeconds() + " s"
                  + (i.segment() != null ? " (its journal segment is kept)" : "")
              : "kept in the journal and offered again on the next start");
    }
  }

  /** Waits on {@link #wakeup} (close and new work notify it) for up to {@code nanos}; an interrupt does not end it. */
  private void pause(long nanos) {
    long deadline = System.nanoTime() + nanos;
    while (true) {
      try {
        synchronized (wakeup) {
          TimeUnit.NANOSECONDS.timedWait(wakeup, deadline - System.nanoTime());
        }
        return;
      } catch (InterruptedException e) {
        interruptedWriter(); // the pause goes on
      }
    }
  }

  /**
   * The writer thread was interrupted (by a sink that left its flag set, or by a host): only
   * {@code close()} stops it, so the interrupt is cleared and delivery goes on; logged once.
   */
  private void interruptedWriter() {
    if (!writerInterruptLogged) {
      writerInterruptLogged = true;
      LOG.warn("auditkit: the ASYNC writer thread was interrupted (a sink that leaves the interrupt flag set?); the "
          + "interrupt is ignored: only AuditLog.close() stops delivery");
    }
  }

  /** Events taken for the next batch count for health's age before the batch is in flight. */
  private void gathering(long oldest) {
    synchronized (setAside) {
      inflightOldest = Math.min(inflightOldest, oldest);
    }
  }

  private void inflight(List<QueuedEvent> batch, long oldest) {
    synchronized (setAside) {
      inflight = batch;
      inflightOldest = oldest;
    }
  }

  private boolean pastCloseDeadline() {
    return closing && System.nanoTime() - closeDeadline >= 0;
  }

  private void acknowledge(List<QueuedEvent> batch) {
    JournalSegment run = null;
    long count = 0;
    for (QueuedEvent i : batch) {
      if (i.segment() != run) {
        if (run != null) {
          run.shipped(count);
        }
        run = i.segment();
        count = 0;
      }
      count++;
    }
    if (run != null) {
      run.shipped(count);
    }
  }

  // ---------------------------------------------------------------- health and close

  public DeliveryStats stats() {
    Journal.SpillCounts spill = journal == null ? NO_SPILL : journal.spillCounts();
    long oldest = Math.min(Math.min(replay.oldest(), refusedInJournal.oldest()), spill.oldest());
    QueuedEvent head = queue.peek();
    if (head != null) {
      oldest = Math.min(oldest, head.acceptedAt());
    }
    QueuedEvent own = ownOverflow.peek(); // the writer's own events wait like queued ones
    if (own != null) {
      oldest = Math.min(oldest, own.acceptedAt());
    }
    int setAsideCount;
    synchronized (setAside) { // refused events are not in the store either
      oldest = Math.min(oldest, Math.min(inflightOldest, setAsideOldest));
      setAsideCount = setAside.size();
    }
    // read after the oldest times: the writer counts a batch off before it clears the batch's time,
    // so with nothing left unshipped now, a time read above belongs to events shipped meanwhile
    long waiting = Math.max(0, unshipped.get());
    if (waiting == 0) {
      oldest = Long.MAX_VALUE;
    }
    return new DeliveryStats(queue.size() + ownOverflow.size(), settings.queueCapacity(), spill.unread(), spill.total(),
        journal == null ? 0 : journal.bytes(),
        settings.journal() != null, journal != null && journal.degraded(), oldest == Long.MAX_VALUE ? -1 : oldest,
        waiting, shipped.get(), dropped.get(), setAsideCount + refusedInJournal.count(),
        corrupt.get(), consecutiveFailures + spillReadFailures,
        lastError,
        lastErrorAt, roomWaiters.get() + blockedCallers.get());
  }

  /** Whether the calling thread is the writer (inside {@code AuditSink.write}). */
  public boolean onWriterThread() {
    return Thread.currentThread() == writer;
  }

  /**
   * Stops accepting events, ships what is queued (and left in the journal) for up to the close
   * timeout, then closes the journal.
   *
   * @throws UnshippedEventsException naming what could not be shipped in time
   */
  public void close() {
    if (!closeCalled.compareAndSet(false, true)) {
      return;
    }
    closeDeadline = System.nanoTime() + settings.closeTimeout().toNanos();
    closing = true;
    madeRoom(); // callers waiting for room spill now (see enqueue)
    // a call that passed the closing check before it was set finishes first (one waiting for queue
    // space gives up within its 50 ms poll): from here on every event is queued or refused
    // (not bounded by closeTimeout: a call descheduled past it would queue an event after the count
    // below; only a close called from inside a submit on the same thread could wait for ever, so
    // that is cut off, loudly, well after any real call has finished)
    boolean wasInterrupted = Thread.interrupted(); // a set flag would make the park below return at once
    long valve = closeDeadline + TimeUnit.SECONDS.toNanos(10);
    while (submitting.get() > 0) {
      if (System.nanoTime() - valve > 0) {
        LOG.error("auditkit: close() gave up waiting for {} appendAuditLog call(s) under way (is close called from "
            + "inside one?); events they queue now are not counted below", submitting.get());
        break;
      }
      LockSupport.parkNanos(50_000);
      wasInterrupted |= Thread.interrupted(); // (a set flag would make the park return at once)
    }
    // the flag stays aside until close returns: the journal's files (a deleted segment written
    // again, spilled records read for the report) would be closed by it
    boolean interrupted = wasInterrupted;
    try {
      closeAndReport();
    } finally {
      if (interrupted || Thread.interrupted()) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** The rest of {@link #close()}: waits for the writer, then names what it could not ship. */
  private void closeAndReport() {
    synchronized (wakeup) {
      wakeup.notifyAll();
    }
    boolean interrupted = false;
    long waitMillis = settings.closeTimeout().toMillis() + 1_000;
    long until = System.currentTimeMillis() + waitMillis;
    while (writer.isAlive() && System.currentTimeMillis() < until) {
      try {
        writer.join(Math.max(1, until - System.currentTimeMillis()));
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    List<QueuedEvent> left = new ArrayList<>(inflight);
    List<QueuedEvent> queued = new ArrayList<>();
    queue.drainTo(queued);
    long total = Math.max(0, unshipped.get());
    CloseReport report = new CloseReport();
    synchronized (setAside) {
      for (QueuedEvent i : setAside) {
        report.add(i);
      }
    }
    refusedInJournal.reportIds(report);
    if (!writer.isAlive()) { // (a writer still alive owns the replay state)
      replay.collectIds(report);
    }
    for (QueuedEvent i : left) {
      report.add(i);
    }
    for (QueuedEvent i : queued) {
      report.add(i);
    }
    for (QueuedEvent i : ownOverflow) {
      report.add(i);
    }
    synchronized (takenBack) {
      report.name(takenBack);
      report.hold(takenBackSegments);
    }
    interrupted |= Thread.interrupted(); // one that came meanwhile would close the journal's files
    if (journal != null) {
      report.hold(journal.spillSegments()); // before the report reads them (which moves the spill on)
      if (!writer.isAlive()) { // (a writer still alive owns the reading)
        // damaged records met there are skipped, as the writer (and the next start) would: not kept
        long[] damaged = {0};
        report.addSpilledIds(journal, n -> {
          lostFromJournal(n);
          damaged[0] += n;
        });
        total = Math.max(0, total - damaged[0]);
      }
    }
    refusedInJournal.reportSegments(report);
    report.hold(replay.holding());
    if (journal != null) {
      journal.close(); // a deleted active segment is written again first (it sets interrupts aside itself)
    }
    UnshippedEventsException ex = report.exception(total, journal != null, lastCause);
    if (interrupted) {
      Thread.currentThread().interrupt(); // close restores it
    }
    if (ex != null) {
      LOG.error("auditkit: {}", ex.getMessage());
      throw ex;
    }
  }
}

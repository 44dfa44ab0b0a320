package dev.auditkit.core.chain;

import dev.auditkit.core.AuditEvent;
import dev.auditkit.core.Seal;
import dev.auditkit.core.chain.internal.ChainHasher;
import dev.auditkit.core.chain.internal.Hashes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.LongConsumer;
import java.util.stream.Stream;

/**
 * Verifies one chain in a single streaming pass with constant memory: recomputes every hash from
 * the event's fields, checks the gapless sequence and the previous-hash links, checks each
 * checkpoint's Ed25519 signature against the {@link CheckpointKeys trusted keys} and that it
 * matches the chain, and optionally that no event stayed unsealed beyond a lag. The result is OK
 * or the <em>first</em> bad position with its {@link TamperKind}. Thread-safe; each
 * {@link #verify} call is independent.
 *
 * <h2>Classification</h2>
 * Position {@code n} is the next expected sequence number, {@code P} the chain hash before it. For
 * each stored row (seal {@code seq, prev, hash} and event {@code e}), with {@code H(p, e)} the
 * chain hash of {@code e} after {@code p}:
 * <ul>
 *   <li>{@code seq > n}: <b>MISSING</b> at {@code n} (a gap: rows were deleted).
 *   <li>{@code seq < n}, or a seal of another chain: <b>INSERTED</b> at {@code seq} (a second row
 *       with a number already used, or a row from elsewhere).
 *   <li>{@code prev == P} and {@code H(P, e) == hash}: fine.
 *   <li>{@code prev == P} but {@code H(P, e) != hash}: if the <em>next</em> row fits position
 *       {@code n} (its prev is {@code P} and its event hashes to its own seal from {@code P}), this
 *       row was pushed in: <b>INSERTED</b> at {@code n}. Otherwise the verifier remembers this row
 *       and keeps scanning (still constant memory): if a later row {@code k} also fails and the two
 *       events fit each other's positions ({@code H(P_n, e_k) == hash_n} and
 *       {@code H(P_k, e_n) == hash_k}), they were swapped: <b>REORDERED</b> at {@code n};
 *       otherwise <b>MODIFIED</b> at {@code n}.
 *   <li>{@code prev != P} (the link to the previous row is broken):
 *       <ul>
 *         <li>{@code prev} equals the hash before the previous row: the previous row was pushed in
 *             (with a correctly computed hash): <b>INSERTED</b> at {@code n-1}.
 *         <li>the row is intact ({@code H(prev, e) == hash}) and the next row fits position
 *             {@code n} and links to this one: their sequence numbers were exchanged:
 *             <b>REORDERED</b> at {@code n}.
 *         <li>the row is intact otherwise: <b>MISSING</b> at {@code n}; the rows before it were
 *             removed and the rest renumbered. (The data cannot tell this apart from row
 *             {@code n-1} being replaced together with a recomputed hash; the detail says so.)
 *         <li>else <b>MODIFIED</b> at {@code n}.
 *       </ul>
 *   <li>A checkpoint is checked when the scan reaches its sequence: an untrusted key or an invalid
 *       signature is <b>BAD_SIGNATURE</b>; a valid one whose hash differs from the chain is
 *       <b>CHECKPOINT_MISMATCH</b> (the chain was rewritten at or before it, after the previous
 *       matching checkpoint: someone recomputed the hashes but cannot sign). A valid checkpoint
 *       beyond the last row is <b>TRUNCATED</b> at the first absent sequence.
 *   <li>A chain whose first row has {@code seq > 1} starts from a valid checkpoint at
 *       {@code seq - 1} (the retention purge leaves one); without it, <b>MISSING</b> at the first
 *       position no checkpoint vouches for.
 *   <li>After a clean scan, if {@link ChainSource#oldestUnsealed()} is older than the allowed
 *       lag: <b>UNSEALED</b> at the position after the last row.
 * </ul>
 * Limits: events appended after the last checkpoint by someone who can write the store and
 * computes hashes correctly are indistinguishable from real events, and deleting them goes
 * unnoticed until a later checkpoint or a witness says otherwise; see the warnings of the result.
 * For an export, {@link Builder#requireSignedHead} demands the checkpoint the exporting store signs
 * for the last event, so that events cut from the end of the file are found.
 */
public final class ChainVerifier {
  private final CheckpointKeys keys;
  private final Duration maxSealingLag;
  private final Clock clock;
  private final long progressEvery;
  private final LongConsumer progress;
  private final boolean requireSignedHead;

  private ChainVerifier(Builder b) {
    this.keys = b.keys;
    this.maxSealingLag = b.maxSealingLag;
    this.clock = b.clock;
    this.progressEvery = b.progressEvery;
    this.progress = b.progress;
    this.requireSignedHead = b.requireSignedHead;
  }

  /** A verifier that trusts checkpoints signed by {@code keys} only. */
  public static Builder builder(CheckpointKeys keys) {
    return new Builder(Objects.requireNonNull(keys, "keys"));
  }

  /** Verifies a chain; closes the source's streams. */
  public ChainVerification verify(ChainSource source) {
    Objects.requireNonNull(source, "source");
    String chainId = ChainIds.require(source.chainId());
    // checkpoints first: a store reads each as of the moment it is opened, and a checkpoint committed
    // between the two reads would otherwise name a position past the events read (a false TRUNCATED)
    try (Stream<Checkpoint> checkpoints = source.checkpoints(); Stream<AuditEvent> events = source.events()) {
      ChainVerification scanned = new Run(chainId, events.iterator(), checkpoints.iterator()).run();
      if (!scanned.ok() || maxSealingLag == null) {
        return scanned;
      }
      Optional<Instant> oldest = source.oldestUnsealed();
      Instant now = clock.instant();
      if (oldest.isPresent() && oldest.get().plus(maxSealingLag).isBefore(now)) {
        return new ChainVerification(chainId, TamperKind.UNSEALED, scanned.lastSequence() + 1, null,
            "an event committed at " + oldest.get() + " is still unsealed after " + Duration.between(oldest.get(), now)
                + " (allowed lag " + maxSealingLag + ")",
            scanned.eventsChecked(), scanned.checkpointsChecked(), scanned.lastSequence(), scanned.headHash(),
            scanned.warnings());
      }
      return oldest.isPresent() ? new ChainVerification(scanned, oldest.get()) : scanned;
    }
  }

  /** Configures a {@link ChainVerifier}. */
  public static final class Builder {
    private final CheckpointKeys keys;
    private Duration maxSealingLag;
    private Clock clock = Clock.systemUTC();
    private long progressEvery = 100_000;
    private LongConsumer progress = n -> { };
    private boolean requireSignedHead;

    private Builder(CheckpointKeys keys) {
      this.keys = keys;
    }

    /** Also report {@link TamperKind#UNSEALED} when an event waits longer than this to be sealed. */
    public Builder maxSealingLag(Duration lag) {
      Objects.requireNonNull(lag, "lag");
      if (lag.isNegative()) {
        throw new IllegalArgumentException("lag must not be negative: " + lag);
      }
      this.maxSealingLag = lag;
      return this;
    }

    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Calls {@code listener} with the number of events checked so far every {@code everyEvents}. */
    public Builder progress(long everyEvents, LongConsumer listener) {
      if (everyEvents < 1) {
        throw new IllegalArgumentException("everyEvents must be >= 1: " + everyEvents);
      }
      this.progressEvery = everyEvents;
      this.progress = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /**
     * Require a valid checkpoint at the chain's last event (an export written by
     * {@code JdbcAuditStore.exportChain} has one, a <i>signed head</i>): without one the result is
     * TRUNCATED after the last event, since events after the last checkpoint could have been cut.
     * For exports only: a store's checkpoints are periodic, so its own chain seldom ends at one.
     */
    public Builder requireSignedHead(boolean require) {
      this.requireSignedHead = require;
      return this;
    }

    public ChainVerifier build() {
      return new ChainVerifier(this);
    }
  }

  /** The state of one pass. */
  private final class Run {
    private final String chainId;
    private final Iterator<AuditEvent> rows;
    private final Iterator<Checkpoint> cps;
    private final ChainHasher hasher = new ChainHasher();
    private final List<String> warnings = new ArrayList<>();
    private AuditEvent peekedRow;
    private Checkpoint peekedCp;
    private long n = 1;
    private String p;
    private byte[] pRaw;
    private String pp;
    private UUID lastId;
    private long events;
    private long checkpoints;
    private long lastCheckpointSeq;
    private Pending pending;

    Run(String chainId, Iterator<AuditEvent> rows, Iterator<Checkpoint> cps) {
      this.chainId = chainId;
      this.rows = rows;
      this.cps = cps;
      this.p = ChainSealer.genesisHash(chainId);
      this.pRaw = Hashes.unhex(p);
    }

    ChainVerification run() {
      ChainVerification r = base();
      if (r != null) {
        return r;
      }
      while (peekRow() != null) {
        AuditEvent row = nextRow();
        r = pending != null ? continuePending(row) : step(row);
        if (r != null) {
          return r;
        }
        if (pending == null) {
          r = checkpointsUpTo(n - 1);
          if (r != null) {
            return r;
          }
        }
      }
      if (pending != null) {
        return modifiedAtPending("the event does not hash to its seal");
      }
      for (Checkpoint c = nextCp(); c != null; c = nextCp()) {
        r = checkSignature(c);
        if (r != null) {
          return r;
        }
        return problem(TamperKind.TRUNCATED, n, null, "a signed checkpoint vouches for #" + c.sequence()
            + " but the chain ends at #" + (n - 1) + ": the newest events were removed");
      }
      if (requireSignedHead && n > 1 && (checkpoints == 0 || lastCheckpointSeq < n - 1)) {
        return problem(TamperKind.TRUNCATED, n, null, "no signed checkpoint vouches for the last event #" + (n - 1)
            + ", and a signed head is required: events after #" + (checkpoints == 0 ? 0 : lastCheckpointSeq)
            + " may have been cut");
      }
      if (n == 1) {
        // empty chain: nothing to warn about
      } else if (checkpoints == 0) {
        warnings.add("no signed checkpoint covers this chain: someone able to write the store could rewrite it unnoticed");
      } else if (lastCheckpointSeq < n - 1) {
        warnings.add("events #" + (lastCheckpointSeq + 1) + "..#" + (n - 1)
            + " come after the last signed checkpoint: only the hash chain protects them");
      }
      return new ChainVerification(chainId, null, 0, null, null, events, checkpoints, n - 1, p, warnings);
    }

    /** Handles checkpoints before the first row and a chain that starts after a purge. */
    private ChainVerification base() {
      AuditEvent first = peekRow();
      long firstSeq = first == null ? Long.MAX_VALUE : first.seal().map(Seal::sequence).orElse(1L);
      Checkpoint baseCp = null;
      while (peekCp() != null && peekCp().sequence() < firstSeq) {
        Checkpoint c = nextCp();
        if (first == null) {
          ChainVerification r = checkSignature(c);
          if (r != null) {
            return r;
          }
          return problem(TamperKind.TRUNCATED, 1, null, "a signed checkpoint vouches for #" + c.sequence()
              + " but the chain has no events");
        }
        ChainVerification r = checkSignature(c);
        if (r != null) {
          return r;
        }
        checkpoints++;
        if (baseCp == null || c.sequence() > baseCp.sequence()) {
          baseCp = c;
        }
      }
      if (first == null || firstSeq <= 1) {
        return null;
      }
      if (baseCp == null || baseCp.sequence() != firstSeq - 1) {
        long from = baseCp == null ? 1 : baseCp.sequence() + 1;
        return problem(TamperKind.MISSING, from, null, "the chain starts at #" + firstSeq
            + " and no signed checkpoint vouches for #" + (firstSeq - 1));
      }
      n = firstSeq;
      p = baseCp.headHash();
      pRaw = Hashes.unhex(p);
      lastCheckpointSeq = baseCp.sequence();
      return null;
    }

    private ChainVerification step(AuditEvent row) {
      Seal s = row.seal().orElse(null);
      if (s == null) {
        return problem(TamperKind.UNSEALED, n, row.id(), "an event without a seal is among the sealed events");
      }
      if (!s.chainId().equals(chainId)) {
        return problem(TamperKind.INSERTED, s.sequence(), row.id(), "its seal names another chain: " + s.chainId());
      }
      long seq = s.sequence();
      if (seq < n) {
        return problem(TamperKind.INSERTED, seq, row.id(), "a second event with sequence #" + seq);
      }
      if (seq > n) {
        return problem(TamperKind.MISSING, n, null, "the sequence jumps from #" + (n - 1) + " to #" + seq);
      }
      boolean linked = s.previousHash().equals(p);
      boolean intact;
      if (linked) {
        byte[] raw = hashRawOrNull(pRaw, row);
        intact = raw != null && s.hash().equals(Hashes.hex(raw));
        if (intact) {
          if (!ChainIds.of(row).equals(chainId)) {
            return problem(TamperKind.INSERTED, n, row.id(), "the event belongs to chain " + ChainIds.of(row));
          }
          accept(row.id(), s.hash(), raw);
          return null;
        }
      } else {
        intact = s.hash().equals(hashOrNull(s.previousHash(), row));
      }
      AuditEvent next = peekRow();
      if (linked) {
        if (next != null && fits(next, n, n + 1, p)) {
          return problem(TamperKind.INSERTED, n, row.id(),
              "the event does not hash to its seal and the next event fits this position");
        }
        pending = new Pending(n, p, s.hash(), row);
        accept(row.id(), s.hash());
        return null;
      }
      if (pp != null && s.previousHash().equals(pp)) {
        return problem(TamperKind.INSERTED, n - 1, lastId,
            "#" + n + " links to #" + (n - 2) + ", so the event at #" + (n - 1) + " was pushed in");
      }
      if (intact && next != null && fits(next, n + 1, n + 1, p) && s.previousHash().equals(next.seal().get().hash())) {
        return problem(TamperKind.REORDERED, n, row.id(), "#" + n + " and #" + (n + 1) + " exchanged places");
      }
      if (intact) {
        return problem(TamperKind.MISSING, n, row.id(), "the event is intact but links to an event that is not #"
            + (n - 1) + ": events were removed and the rest renumbered (or #" + (n - 1)
            + " was replaced together with a recomputed hash)");
      }
      if (s.hash().equals(hashOrNull(p, row))) {
        return problem(TamperKind.MODIFIED, n, row.id(), "its previous-hash field was changed");
      }
      return problem(TamperKind.MODIFIED, n, row.id(), "the event does not hash to its seal and its link is broken");
    }

    /** After a row that did not hash to its seal: look for its swap partner, else MODIFIED. */
    private ChainVerification continuePending(AuditEvent row) {
      Seal s = row.seal().orElse(null);
      if (s == null || !s.chainId().equals(chainId) || s.sequence() != n || !s.previousHash().equals(p)) {
        return modifiedAtPending("the event does not hash to its seal");
      }
      if (s.hash().equals(hashOrNull(p, row))) {
        accept(row.id(), s.hash());
        return null;
      }
      if (pending.hash.equals(hashOrNull(pending.previous, row))
          && s.hash().equals(hashOrNull(p, pending.event))) {
        return problem(TamperKind.REORDERED, pending.sequence, pending.event.id(),
            "the events at #" + pending.sequence + " and #" + s.sequence() + " were swapped");
      }
      return modifiedAtPending("the event does not hash to its seal");
    }

    private ChainVerification modifiedAtPending(String detail) {
      return problem(TamperKind.MODIFIED, pending.sequence, pending.event.id(), detail);
    }

    /** Whether {@code row} is an intact event numbered {@code seqA} or {@code seqB} after hash {@code prev}. */
    private boolean fits(AuditEvent row, long seqA, long seqB, String prev) {
      Seal s = row.seal().orElse(null);
      return s != null && s.chainId().equals(chainId) && (s.sequence() == seqA || s.sequence() == seqB)
          && s.previousHash().equals(prev) && s.hash().equals(hashOrNull(prev, row));
    }

    private ChainVerification checkpointsUpTo(long seq) {
      while (peekCp() != null && peekCp().sequence() <= seq) {
        Checkpoint c = nextCp();
        ChainVerification r = checkSignature(c);
        if (r != null) {
          return r;
        }
        if (c.sequence() < seq) {
          return problem(TamperKind.CHECKPOINT_MISMATCH, c.sequence(), null, "checkpoint for #" + c.sequence()
              + " came after #" + seq + ": checkpoints must be in sequence order");
        }
        if (!c.headHash().equals(p)) {
          return problem(TamperKind.CHECKPOINT_MISMATCH, seq, lastId, "the signed checkpoint says " + c.headHash()
              + " but the chain hashes to " + p + ": the chain was rewritten after #" + lastCheckpointSeq
              + " and at or before #" + seq);
        }
        checkpoints++;
        lastCheckpointSeq = seq;
      }
      return null;
    }

    private ChainVerification checkSignature(Checkpoint c) {
      if (!c.chainId().equals(chainId)) {
        return problem(TamperKind.CHECKPOINT_MISMATCH, c.sequence(), null, "a checkpoint of chain " + c.chainId()
            + " is among this chain's checkpoints");
      }
      if (!keys.trusts(c.keyFingerprint())) {
        return problem(TamperKind.BAD_SIGNATURE, c.sequence(), null, "the checkpoint is signed by an untrusted key "
            + c.keyFingerprint());
      }
      if (!keys.verify(c)) {
        return problem(TamperKind.BAD_SIGNATURE, c.sequence(), null, "the checkpoint's signature is invalid");
      }
      return null;
    }

    private byte[] hashRawOrNull(byte[] previous, AuditEvent row) {
      try {
        return hasher.hash(previous, row);
      } catch (IllegalArgumentException e) {
        return null;
      }
    }

    private String hashOrNull(String previous, AuditEvent row) {
      if (!Hashes.isSha256Hex(previous)) {
        return null;
      }
      try {
        return hasher.hashHex(previous, row);
      } catch (IllegalArgumentException e) {
        return null;
      }
    }

    /** Accepts a row whose stored hash becomes the chain position (a pending row may hold any text). */
    private void accept(UUID id, String hash) {
      accept(id, hash, Hashes.isSha256Hex(hash) ? Hashes.unhex(hash) : new byte[32]);
    }

    private void accept(UUID id, String hash, byte[] raw) {
      pp = p;
      p = hash;
      pRaw = raw;
      lastId = id;
      n++;
      events++;
      if (events % progressEvery == 0) {
        progress.accept(events);
      }
    }

    private ChainVerification problem(TamperKind kind, long position, UUID eventId, String detail) {
      return new ChainVerification(chainId, kind, position, eventId, detail, events, checkpoints,
          Math.max(0, n - 1), p, warnings);
    }

    private AuditEvent peekRow() {
      if (peekedRow == null && rows.hasNext()) {
        peekedRow = Objects.requireNonNull(rows.next(), "the event stream returned null");
      }
      return peekedRow;
    }

    private AuditEvent nextRow() {
      AuditEvent r = peekRow();
      peekedRow = null;
      return r;
    }

    private Checkpoint peekCp() {
      if (peekedCp == null && cps.hasNext()) {
        peekedCp = Objects.requireNonNull(cps.next(), "the checkpoint stream returned null");
      }
      return peekedCp;
    }

    private Checkpoint nextCp() {
      Checkpoint c = peekCp();
      peekedCp = null;
      return c;
    }
  }

  /** A row that did not hash to its seal, kept while looking for its swap partner. */
  private static final class Pending {
    final long sequence;
    final String previous;
    final String hash;
    final AuditEvent event;

    Pending(long sequence, String previous, String hash, AuditEvent event) {
      this.sequence = sequence;
      this.previous = previous;
      this.hash = hash;
      this.event = event;
    }
  }
}

package dev.auditkit.core.chain;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The outcome of verifying one chain: OK, or the first bad position with its {@link TamperKind}.
 * Also says how much was checked and any warnings that do not make the chain bad (no checkpoint,
 * events after the last checkpoint that only the hash chain protects).
 */
public final class ChainVerification {
  private final String chainId;
  private final TamperKind kind;
  private final long position;
  private final UUID eventId;
  private final String detail;
  private final long eventsChecked;
  private final long checkpointsChecked;
  private final long lastSequence;
  private final String headHash;
  private final List<String> warnings;
  /** When the oldest event of the chain still waiting for its seal was committed; null when none (or not asked). */
  private final java.time.Instant oldestUnsealed;

  ChainVerification(String chainId, TamperKind kind, long position, UUID eventId, String detail,
      long eventsChecked, long checkpointsChecked, long lastSequence, String headHash, List<String> warnings) {
    this(chainId, kind, position, eventId, detail, eventsChecked, checkpointsChecked, lastSequence, headHash, warnings,
        null);
  }

  /** {@code r} with the time of the oldest event still waiting for its seal. */
  ChainVerification(ChainVerification r, java.time.Instant oldestUnsealed) {
    this(r.chainId, r.kind, r.position, r.eventId, r.detail, r.eventsChecked, r.checkpointsChecked, r.lastSequence,
        r.headHash, r.warnings, oldestUnsealed);
  }

  private ChainVerification(String chainId, TamperKind kind, long position, UUID eventId, String detail,
      long eventsChecked, long checkpointsChecked, long lastSequence, String headHash, List<String> warnings,
      java.time.Instant oldestUnsealed) {
    this.chainId = chainId;
    this.kind = kind;
    this.position = position;
    this.eventId = eventId;
    this.detail = detail;
    this.eventsChecked = eventsChecked;
    this.checkpointsChecked = checkpointsChecked;
    this.lastSequence = lastSequence;
    this.headHash = headHash;
    this.warnings = List.copyOf(warnings);
    this.oldestUnsealed = oldestUnsealed;
  }

  /**
   * When the oldest event of this chain that is committed but not sealed yet was written, if there
   * is one within the allowed sealing lag (one past it makes the result {@link TamperKind#UNSEALED}).
   * Such events are not covered by this verification; a store's {@code sealNow()} seals them.
   * Empty for an export, and when the verifier was built without {@code maxSealingLag}.
   */
  public Optional<java.time.Instant> oldestUnsealed() {
    return Optional.ofNullable(oldestUnsealed);
  }

  public String chainId() {
    return chainId;
  }

  /** True when nothing was found wrong. */
  public boolean ok() {
    return kind == null;
  }

  /** The kind of the first problem, empty when {@link #ok()}. */
  public Optional<TamperKind> kind() {
    return Optional.ofNullable(kind);
  }

  /** The sequence number of the first bad position; 0 when {@link #ok()}. */
  public long position() {
    return position;
  }

  /** The id of the event found at the bad position, when there was one. */
  public Optional<UUID> eventId() {
    return Optional.ofNullable(eventId);
  }

  /** A human-readable explanation of the problem; empty when {@link #ok()}. */
  public String detail() {
    return detail == null ? "" : detail;
  }

  public long eventsChecked() {
    return eventsChecked;
  }

  /** Checkpoints whose signature and hash were checked. */
  public long checkpointsChecked() {
    return checkpointsChecked;
  }

  /** The last sequence number verified in order (up to the problem, if any). */
  public long lastSequence() {
    return lastSequence;
  }

  /** The chain hash at {@link #lastSequence()}. */
  public String headHash() {
    return headHash;
  }

  public List<String> warnings() {
    return warnings;
  }

  /** One line: {@code OK chain t:x: 120 events, 2 checkpoints} or {@code MODIFIED at t:x#17: ...}. */
  public String summary() {
    if (ok()) {
      return "OK chain " + chainId + ": " + eventsChecked + (eventsChecked == 1 ? " event" : " events") + " up to #"
          + lastSequence + ", " + checkpointsChecked + " signed checkpoint" + (checkpointsChecked == 1 ? "" : "s")
          + " verified" + (oldestUnsealed == null ? ""
              : "; events committed since " + oldestUnsealed + " are not sealed yet and not covered");
    }
    return kind + " at " + chainId + "#" + position + (eventId == null ? "" : " (event " + eventId + ")") + ": " + detail;
  }

  @Override
  public String toString() {
    return summary();
  }
}

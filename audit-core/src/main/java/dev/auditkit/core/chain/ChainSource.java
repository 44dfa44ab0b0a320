package dev.auditkit.core.chain;

import dev.auditkit.core.AuditEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * One chain as {@link ChainVerifier} reads it: a store or an export exposes its rows as streams,
 * which the verifier consumes once, in order, and closes. Nothing needs to fit in memory.
 */
public interface ChainSource {

  /** The chain's id ({@code t:<tenant>} or {@code global}). */
  String chainId();

  /**
   * The chain's sealed events as stored, each with its {@link AuditEvent#seal() seal}, ordered by
   * seal sequence ascending. Rows must come as they are, never repaired: the verifier judges them.
   */
  Stream<AuditEvent> events();

  /**
   * The chain's checkpoints ordered by sequence ascending; copies from several places (the store
   * and a witness) may all be given, each is checked. The verifier and the export open this stream
   * before {@link #events()}: a source that reads each as of the moment it is opened then never
   * gives a checkpoint past the events it gives.
   */
  Stream<Checkpoint> checkpoints();

  /** When the oldest event of this chain that is not sealed yet was committed, if there is one. */
  default Optional<Instant> oldestUnsealed() {
    return Optional.empty();
  }

  /** A source over lists already in memory (tests, small exports). */
  static ChainSource of(String chainId, List<AuditEvent> events, List<Checkpoint> checkpoints) {
    ChainIds.require(chainId);
    List<AuditEvent> e = new ArrayList<>(Objects.requireNonNull(events, "events"));
    List<Checkpoint> c = new ArrayList<>(Objects.requireNonNull(checkpoints, "checkpoints"));
    return new ChainSource() {
      @Override
      public String chainId() {
        return chainId;
      }

      @Override
      public Stream<AuditEvent> events() {
        return e.stream();
      }

      @Override
      public Stream<Checkpoint> checkpoints() {
        return c.stream();
      }
    };
  }
}

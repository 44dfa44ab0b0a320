package dev.auditkit.jdbc.internal;

import dev.auditkit.core.chain.ChainHead;
import dev.auditkit.core.chain.Checkpoint;
import dev.auditkit.core.chain.CheckpointPolicy;
import dev.auditkit.core.chain.CheckpointSigner;
import dev.auditkit.core.chain.CheckpointWitness;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** When the sealer signs a checkpoint, with which key, and where it is published after commit. */
public final class Checkpointing {
  private static final Logger LOG = LoggerFactory.getLogger(Checkpointing.class);

  private final CheckpointSigner signer;
  private final CheckpointPolicy policy;
  private final List<CheckpointWitness> witnesses;
  private final Clock clock;

  public Checkpointing(CheckpointSigner signer, CheckpointPolicy policy, List<CheckpointWitness> witnesses, Clock clock) {
    this.signer = signer;
    this.policy = policy;
    this.witnesses = List.copyOf(witnesses);
    this.clock = clock;
  }

  public CheckpointSigner signer() {
    return signer;
  }

  /** Chains whose latest checkpoint is older than this are due by time. */
  public Instant dueBefore() {
    return clock.instant().minus(policy.every());
  }

  /**
   * A signed checkpoint of {@code head} when one is due: the chain has none yet, or
   * {@link CheckpointPolicy#everyEvents()} events or {@link CheckpointPolicy#every()} passed since
   * the latest one. Null when nothing is due.
   */
  public Checkpoint signIfDue(ChainHead head, long checkpointSeq, Instant checkpointAt) {
    if (head.sequence() <= checkpointSeq) {
      return null;
    }
    Instant now = clock.instant();
    boolean due = checkpointSeq == 0 || checkpointAt == null
        || head.sequence() - checkpointSeq >= policy.everyEvents()
        || !now.isBefore(checkpointAt.plus(policy.every()));
    return due ? signer.sign(head, now) : null;
  }

  /**
   * Hands committed checkpoints to every witness. A failing witness is logged and does not stop
   * sealing: the checkpoint is in the database, and the next checkpoint reaches the witness again.
   */
  public void publish(List<Checkpoint> checkpoints) {
    for (Checkpoint cp : checkpoints) {
      for (CheckpointWitness w : witnesses) {
        try {
          w.publish(cp);
        } catch (RuntimeException e) {
          LOG.error("auditkit: checkpoint {}#{} could not be published to witness {}: {}", cp.chainId(),
              cp.sequence(), w, e.toString());
        }
      }
    }
  }
}

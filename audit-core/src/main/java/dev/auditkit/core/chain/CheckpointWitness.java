package dev.auditkit.core.chain;

/**
 * Publishes checkpoints somewhere the database's writers cannot reach (a file on another volume,
 * a log pipeline, a transparency service), so that a chain rewritten together with its stored
 * checkpoints is still caught by comparing with the witness. Implementations must be thread-safe.
 */
@FunctionalInterface
public interface CheckpointWitness {

  /**
   * Records one checkpoint durably before returning.
   *
   * @throws RuntimeException when it could not; the caller keeps the checkpoint and retries
   */
  void publish(Checkpoint checkpoint);
}

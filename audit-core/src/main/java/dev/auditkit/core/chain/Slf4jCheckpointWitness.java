package dev.auditkit.core.chain;

import dev.auditkit.core.chain.internal.CheckpointJson;
import dev.auditkit.core.internal.Json;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs each checkpoint as one JSON line at INFO to the logger {@value #LOGGER} so that the host's
 * log pipeline keeps a copy outside the database. Durable only as far as that pipeline is.
 */
public final class Slf4jCheckpointWitness implements CheckpointWitness {
  /** The logger name. */
  public static final String LOGGER = "dev.auditkit.checkpoint";

  private final Logger log;

  public Slf4jCheckpointWitness() {
    this(LoggerFactory.getLogger(LOGGER));
  }

  /** Logs to the given logger instead. */
  public Slf4jCheckpointWitness(Logger log) {
    this.log = Objects.requireNonNull(log, "log");
  }

  @Override
  public void publish(Checkpoint checkpoint) {
    Objects.requireNonNull(checkpoint, "checkpoint");
    log.info("auditkit checkpoint {}", Json.text(CheckpointJson.toJson(checkpoint)));
  }
}

package dev.auditkit.core;

import dev.auditkit.core.internal.EventJson;
import dev.auditkit.core.internal.Json;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes each event as one JSON line at INFO on logger {@code auditkit.audit} (or a logger you
 * name), for hosts that ship logs to a SIEM. Durability is the logging backend's: this sink is
 * not idempotent and cannot confirm that a line reached disk, so pair it with a store when events
 * must not be lost.
 */
public final class Slf4jAuditSink implements AuditSink {
  /** The default logger name. */
  public static final String LOGGER_NAME = "auditkit.audit";

  private final Logger logger;

  public Slf4jAuditSink() {
    this(LOGGER_NAME);
  }

  public Slf4jAuditSink(String loggerName) {
    this.logger = LoggerFactory.getLogger(Objects.requireNonNull(loggerName, "loggerName"));
  }

  @Override
  public void write(List<AuditEvent> events) {
    for (AuditEvent e : events) {
      logger.info(Json.text(EventJson.toJson(e)));
    }
  }
}

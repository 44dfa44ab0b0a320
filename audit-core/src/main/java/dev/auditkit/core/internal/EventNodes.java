package dev.auditkit.core.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.auditkit.core.AuditEvent;
import dev.auditkit.core.AuditLimits;
import dev.auditkit.core.FieldChange;

/**
 * Access to an event's JSON values without the defensive copies the public API makes, for hot
 * paths: the canonical encoder reads them (and must never modify what it gets); a store rebuilding
 * events from rows it has just parsed hands its trees over and builds without copying them.
 */
public final class EventNodes {
  /** Implemented once by {@link AuditEvent}. */
  public interface Access {
    ObjectNode metadata(AuditEvent e);

    JsonNode oldValue(AuditEvent e);

    JsonNode newValue(AuditEvent e);

    JsonNode from(FieldChange c);

    JsonNode to(FieldChange c);

    /**
     * Sets the JSON values of a builder the caller owns to these trees, without the setters'
     * copies; the caller keeps no reference to them. A null metadata is an empty object.
     */
    void adoptJson(AuditEvent.Builder b, JsonNode oldValue, JsonNode newValue, ObjectNode metadata);

    /** Builds a builder the caller owns and never uses again, without copying it first. */
    AuditEvent buildOwned(AuditEvent.Builder b, AuditLimits limits);

    /**
     * Builds, as {@link #buildOwned} without limits, an event read back to be hashed: any value the
     * model would clean up (a control or bidi character, an empty text for an absent one, unsorted
     * changes, an address not in its written form) is an {@code InvalidAuditEventException} instead,
     * so that what is hashed is what is stored. Such a value was put there behind auditkit's back.
     */
    AuditEvent buildExact(AuditEvent.Builder b);
  }

  private static volatile Access access;

  private EventNodes() {}

  /** Called from {@link AuditEvent}'s static initialiser. */
  public static void install(Access a) {
    if (access != null) {
      throw new IllegalStateException("already installed");
    }
    access = a;
  }

  public static Access get() {
    Access a = access;
    if (a == null) {
      try {
        Class.forName(AuditEvent.class.getName(), true, AuditEvent.class.getClassLoader());
      } catch (ClassNotFoundException e) {
        throw new IllegalStateException(e);
      }
      a = access;
    }
    return a;
  }
}

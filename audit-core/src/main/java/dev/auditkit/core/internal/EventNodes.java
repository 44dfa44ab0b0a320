package dev.auditkit.core.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.auditkit.core.AuditEvent;
import dev.auditkit.core.FieldChange;

/**
 * Read-only access to an event's JSON values without the defensive copies the public accessors
 * make, for hot paths such as the canonical encoder. Callers must never modify what they get.
 */
public final class EventNodes {
  /** Implemented once by {@link AuditEvent}. */
  public interface Access {
    ObjectNode metadata(AuditEvent e);

    JsonNode oldValue(AuditEvent e);

    JsonNode newValue(AuditEvent e);

    JsonNode from(FieldChange c);

    JsonNode to(FieldChange c);
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

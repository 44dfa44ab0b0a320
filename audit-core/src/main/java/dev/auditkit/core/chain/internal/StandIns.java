package dev.auditkit.core.chain.internal;

import dev.auditkit.core.AuditEvent;
import dev.auditkit.core.Seal;
import dev.auditkit.core.chain.ChainIds;
import dev.auditkit.core.internal.UtcTimes;
import java.time.Instant;
import java.util.UUID;

/**
 * Stand-ins for sealed events that can no longer be read as events auditkit wrote (a stored row or
 * an export line changed to hold what the event model refuses or would clean up). Verify must
 * report such an event at its position rather than stop, so it becomes an event that does not hash
 * to its seal, named by its id, with the cause in its metadata: the verdict is MODIFIED there.
 */
public final class StandIns {
  private StandIns() {}

  /**
   * The stand-in for the event {@code id} sealed by {@code seal}, of that seal's chain's tenant.
   *
   * @param storedTime the event's time as stored, if it could be read and is one an event holds
   * @param storedTimeText the stored time as text, for the record
   */
  public static AuditEvent unreadable(UUID id, Instant storedTime, String storedTimeText, Seal seal, String reason) {
    return unreadable(id, ChainIds.tenantOf(seal.chainId()), storedTime, storedTimeText, seal, reason);
  }

  /** The stand-in for the event {@code id} of {@code tenantId}, sealed by {@code seal} if not null (a query shows it). */
  public static AuditEvent unreadable(UUID id, String tenantId, Instant storedTime, String storedTimeText, Seal seal,
      String reason) {
    Instant when = storedTime == null || !UtcTimes.holdsEventTime(storedTime) ? Instant.EPOCH : storedTime;
    return AuditEvent.builder()
        .id(id)
        .occurredAt(when)
        .tenantId(tenantId)
        .action("auditkit.unreadable_row")
        .resource("audit_event", id.toString())
        .metadata("unreadable", String.valueOf(reason))
        .metadata("storedOccurredAt", String.valueOf(storedTimeText))
        // unpredictable, so that nobody can store, and have sealed, an event identical to the stand-in
        // it would later become: a stand-in never hashes to a seal
        .metadata("nonce", UUID.randomUUID().toString())
        .seal(seal)
        .build();
  }
}

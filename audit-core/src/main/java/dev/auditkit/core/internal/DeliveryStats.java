package dev.auditkit.core.internal;

import java.time.Instant;

/**
 * The raw counters behind {@code DeliveryHealth}; {@code oldestAcceptedAt} is -1 when nothing waits;
 * {@code spilled} counts events the journal alone holds (the queue was full) not yet read back,
 * {@code spilledTotal} every event spilled since start;
 * {@code callersWaiting} the calls waiting for room in the full queue now.
 */
public record DeliveryStats(int queueDepth, int queueCapacity, long spilled, long spilledTotal, long journalBytes, boolean journalConfigured,
    boolean journalDegraded, long oldestAcceptedAt, long unshipped, long shipped, long dropped,
    long refused, long corruptRecordsSkipped, long consecutiveFailures, String lastError, Instant lastErrorAt,
    int callersWaiting) {}

package dev.auditkit.core.internal;

import java.time.Instant;

/** The raw counters behind {@code DeliveryHealth}; {@code oldestAcceptedAt} is -1 when nothing waits. */
public record DeliveryStats(int queueDepth, int queueCapacity, long journalBytes, boolean journalConfigured,
    boolean journalDegraded, long oldestAcceptedAt, long unshipped, long shipped, long dropped,
    long refused, long corruptRecordsSkipped, long consecutiveFailures, String lastError, Instant lastErrorAt) {}

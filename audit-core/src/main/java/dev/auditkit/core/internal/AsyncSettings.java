package dev.auditkit.core.internal;

import dev.auditkit.core.JournalDurability;
import dev.auditkit.core.OverflowPolicy;
import java.nio.file.Path;
import java.time.Duration;

/** How an ASYNC AuditLog queues, batches, retries and journals; validated by the builder. */
public record AsyncSettings(int queueCapacity, OverflowPolicy overflow, int batchSize, Duration batchDelay,
    Duration retryMin, Duration retryMax, Duration closeTimeout, Path journal, JournalDurability durability,
    long segmentBytes, long journalCapacity, Duration spillAfter) {}

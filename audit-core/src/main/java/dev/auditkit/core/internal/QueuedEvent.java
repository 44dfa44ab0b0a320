package dev.auditkit.core.internal;

import dev.auditkit.core.AuditEvent;

/**
 * An accepted event on its way to the store, as {@link AsyncDispatcher} queues, batches, sets aside
 * and reports it: the event, the journal segment that holds it (null when it is held in memory
 * only) and when it was accepted (the clock's millis, for health's age). Immutable, so it is handed
 * between callers, the writer thread and the closing thread freely.
 */
record QueuedEvent(AuditEvent event, JournalSegment segment, long acceptedAt) {}

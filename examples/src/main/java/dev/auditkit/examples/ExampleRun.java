package dev.auditkit.examples;

import dev.auditkit.core.AuditEvent;
import dev.auditkit.core.chain.ChainVerification;
import dev.auditkit.core.chain.TamperKind;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

/**
 * What one run of the example found.
 *
 * @param recorded ids of the events the morning's business code recorded
 * @param missing those of them the store does not hold (none, unless something is wrong)
 * @param storedBefore events in the store before this run
 * @param storedAfter events in the store after it
 * @param verdicts {@code verify} of every chain in the store
 * @param updateRefusal the database's answer to an UPDATE of an audit row, or null if it was allowed
 * @param payment the payment event as the store holds it
 * @param export the export of the first tenant's chain
 * @param exportVerdict the offline verification of that export
 * @param editedVerdict the offline verification of a copy with one event line edited
 * @param editedPosition the chain position of the edited event
 */
record ExampleRun(List<UUID> recorded, List<UUID> missing, long storedBefore, long storedAfter, List<ChainVerification> verdicts,
    String updateRefusal, AuditEvent payment, Path export, ChainVerification exportVerdict,
    ChainVerification editedVerdict, long editedPosition) {

  /** Whether every check came out as it should: all stored, all chains OK, the edits caught. */
  boolean asExpected() {
    return missing.isEmpty() && storedAfter == storedBefore + recorded.size()
        && !verdicts.isEmpty() && verdicts.stream().allMatch(ChainVerification::ok)
        && updateRefusal != null
        && exportVerdict.ok()
        && editedVerdict.kind().orElse(null) == TamperKind.MODIFIED && editedVerdict.position() == editedPosition;
  }
}

package dev.auditkit.core.chain;

import dev.auditkit.core.AuditEvent;
import dev.auditkit.core.AuditLimits;
import dev.auditkit.core.Seal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** A sealed chain of {@link TestEvents#full} events with checkpoints, to tamper with in tests. */
final class SealedChain {
  static final String TENANT = "org-7";
  static final String CHAIN = ChainIds.forTenant(TENANT);

  final List<AuditEvent> events = new ArrayList<>();
  final List<Checkpoint> checkpoints = new ArrayList<>();

  /** {@code size} events, a checkpoint after every {@code checkpointEvery} (0 = none). */
  static SealedChain of(int size, int checkpointEvery, CheckpointSigner signer) {
    SealedChain c = new SealedChain();
    ChainSealer sealer = ChainSealer.startingAt(ChainHead.empty(CHAIN));
    for (int i = 0; i < size; i++) {
      AuditEvent e = TestEvents.full(TENANT, i);
      c.events.add(withSeal(e, sealer.seal(e)));
      if (checkpointEvery > 0 && (i + 1) % checkpointEvery == 0) {
        c.checkpoints.add(signer.sign(sealer.head(), Instant.parse("2026-02-01T00:00:00Z").plusSeconds(i)));
      }
    }
    return c;
  }

  static AuditEvent withSeal(AuditEvent e, Seal s) {
    return e.toBuilder().seal(s).build(AuditLimits.unlimited());
  }

  /** The event at sequence {@code seq} (1-based). */
  AuditEvent at(long seq) {
    return events.get((int) seq - 1);
  }

  Seal sealAt(long seq) {
    return at(seq).seal().orElseThrow();
  }

  ChainSource source() {
    return ChainSource.of(CHAIN, events, checkpoints);
  }
}

package dev.auditkit.core.chain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.auditkit.core.AuditEvent;
import dev.auditkit.core.AuditLimits;
import dev.auditkit.core.Seal;
import dev.auditkit.core.chain.internal.Pem;
import java.security.KeyPair;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChainVerifierTest {
  private static final KeyPair KEYS = CheckpointSigner.newKeyPair();
  private static final CheckpointSigner SIGNER = CheckpointSigner.fromPem(
      Pem.encode("PRIVATE KEY", KEYS.getPrivate().getEncoded()), Pem.encode("PUBLIC KEY", KEYS.getPublic().getEncoded()));
  private static final ChainVerifier VERIFIER = ChainVerifier.builder(SIGNER.keys()).build();

  // a chain of 22 events with signed checkpoints at #5, #10, #15, #20
  private final SealedChain chain = SealedChain.of(22, 5, SIGNER);

  private ChainVerification verify() {
    return VERIFIER.verify(chain.source());
  }

  @Test
  void untouchedChain_isOk() {
    ChainVerification r = verify();
    assertThat(r.ok()).as(r.summary()).isTrue();
    assertThat(r.eventsChecked()).isEqualTo(22);
    assertThat(r.checkpointsChecked()).isEqualTo(4);
    assertThat(r.lastSequence()).isEqualTo(22);
    assertThat(r.headHash()).isEqualTo(chain.sealAt(22).hash());
    assertThat(r.kind()).isEmpty();
    assertThat(r.warnings()).singleElement().asString().contains("#21..#22");
    assertThat(r.summary()).startsWith("OK chain t:org-7: 22 events");
  }

  @Test
  void oneFieldOfOneEventModified_isModifiedAtThatPosition() {
    AuditEvent e = chain.at(7);
    chain.events.set(6, e.toBuilder().actor(e.actor().role("superuser")).build(AuditLimits.unlimited()));
    assertProblem(verify(), TamperKind.MODIFIED, 7);
    assertThat(verify().eventId()).contains(e.id());
  }

  @Test
  void sealHashModified_isModified() {
    Seal s = chain.sealAt(7);
    chain.events.set(6, SealedChain.withSeal(chain.at(7).toBuilder().seal(null).build(),
        new Seal(s.chainId(), 7, s.previousHash(), "ab".repeat(32))));
    assertProblem(verify(), TamperKind.MODIFIED, 7);
  }

  @Test
  void sealHashesThatAreNotHex_areModifiedNotACrash() {
    Seal s = chain.sealAt(7);
    chain.events.set(6, reseal(chain.at(7), new Seal(s.chainId(), 7, s.previousHash(), "not hex at all")));
    assertProblem(verify(), TamperKind.MODIFIED, 7);
    Seal s9 = chain.sealAt(9);
    chain.events.set(8, reseal(chain.at(9), new Seal(s9.chainId(), 9, "zz", s9.hash())));
    assertProblem(verify(), TamperKind.MODIFIED, 7);
  }

  @Test
  void previousHashFieldModified_isModified() {
    Seal s = chain.sealAt(7);
    chain.events.set(6, reseal(chain.at(7), new Seal(s.chainId(), 7, "cd".repeat(32), s.hash())));
    assertProblem(verify(), TamperKind.MODIFIED, 7);
  }

  @Test
  void eventDeletedInTheMiddle_isMissing() {
    chain.events.remove(6);
    ChainVerification r = verify();
    assertProblem(r, TamperKind.MISSING, 7);
    assertThat(r.detail()).contains("jumps from #6 to #8");
  }

  @Test
  void eventDeletedAndTheRestRenumbered_isMissing() {
    chain.events.remove(6);
    renumberFrom(6, -1);
    assertProblem(verify(), TamperKind.MISSING, 7);
  }

  @Test
  void newestEventsDeletedAfterACheckpoint_isTruncated() {
    chain.events.subList(12, 22).clear(); // keeps #1..#12, the checkpoints at #15 and #20 remain
    ChainVerification r = verify();
    assertProblem(r, TamperKind.TRUNCATED, 13);
    assertThat(r.detail()).contains("#15");
  }

  @Test
  void forgedEventInsertedWithAGarbageHash_isInserted() {
    Seal s7 = chain.sealAt(7);
    AuditEvent forged = TestEvents.full(SealedChain.TENANT, 1000);
    chain.events.add(7, SealedChain.withSeal(forged, new Seal(SealedChain.CHAIN, 8, s7.hash(), "ee".repeat(32))));
    renumberFrom(8, +1);
    ChainVerification r = verify();
    assertProblem(r, TamperKind.INSERTED, 8);
    assertThat(r.eventId()).contains(forged.id());
  }

  @Test
  void forgedEventInsertedWithACorrectlyComputedHash_isInserted() {
    Seal s7 = chain.sealAt(7);
    AuditEvent forged = TestEvents.full(SealedChain.TENANT, 1000);
    String hash = ChainSealer.hash(s7.hash(), forged);
    chain.events.add(7, SealedChain.withSeal(forged, new Seal(SealedChain.CHAIN, 8, s7.hash(), hash)));
    renumberFrom(8, +1);
    ChainVerification r = verify();
    assertProblem(r, TamperKind.INSERTED, 8);
    assertThat(r.eventId()).contains(forged.id());
  }

  @Test
  void forgedEventWithAnAlreadyUsedSequence_isInserted() {
    Seal s7 = chain.sealAt(7);
    AuditEvent forged = TestEvents.full(SealedChain.TENANT, 1000);
    chain.events.add(8, SealedChain.withSeal(forged, new Seal(SealedChain.CHAIN, 8, s7.hash(), "ee".repeat(32))));
    assertProblem(verify(), TamperKind.INSERTED, 8);
    // the forged row sorted before the genuine one
    chain.events.remove(8);
    chain.events.add(7, SealedChain.withSeal(forged, new Seal(SealedChain.CHAIN, 8, s7.hash(), "ee".repeat(32))));
    assertProblem(verify(), TamperKind.INSERTED, 8);
  }

  @Test
  void eventFromAnotherChain_isInserted() {
    Seal s = chain.sealAt(7);
    chain.events.set(6, reseal(chain.at(7), new Seal("t:other", 7, s.previousHash(), s.hash())));
    assertProblem(verify(), TamperKind.INSERTED, 7);
  }

  @Test
  void twoAdjacentEventsSwapped_isReordered() {
    swapContents(7, 8);
    assertProblem(verify(), TamperKind.REORDERED, 7);
  }

  @Test
  void twoDistantEventsSwapped_isReordered() {
    swapContents(3, 12);
    ChainVerification r = verify();
    assertProblem(r, TamperKind.REORDERED, 3);
    assertThat(r.detail()).contains("#3 and #12");
  }

  @Test
  void sequenceNumbersOfTwoEventsExchanged_isReordered() {
    AuditEvent a = chain.at(7);
    AuditEvent b = chain.at(8);
    Seal sa = a.seal().orElseThrow();
    Seal sb = b.seal().orElseThrow();
    chain.events.set(6, reseal(b, new Seal(sb.chainId(), 7, sb.previousHash(), sb.hash())));
    chain.events.set(7, reseal(a, new Seal(sa.chainId(), 8, sa.previousHash(), sa.hash())));
    assertProblem(verify(), TamperKind.REORDERED, 7);
  }

  @Test
  void wholeChainRecomputedAfterAnEditBySomeoneWithoutTheKey_isACheckpointMismatch() {
    AuditEvent e = chain.at(7);
    chain.events.set(6, e.toBuilder().seal(null).metadata("amount", 1_000_000).build());
    recomputeAllSeals();
    ChainVerification r = verify();
    assertProblem(r, TamperKind.CHECKPOINT_MISMATCH, 10);
    assertThat(r.detail()).contains("after #5", "at or before #10");
  }

  @Test
  void chainRecomputedAndCheckpointsResignedWithAnotherKey_isABadSignature() {
    AuditEvent e = chain.at(7);
    chain.events.set(6, e.toBuilder().seal(null).metadata("amount", 1_000_000).build());
    recomputeAllSeals();
    CheckpointSigner forger = CheckpointSigner.generateForDevelopment();
    List<Checkpoint> forged = new ArrayList<>();
    for (Checkpoint c : chain.checkpoints) {
      Seal s = chain.sealAt(c.sequence());
      forged.add(forger.sign(ChainHead.of(SealedChain.CHAIN, s.sequence(), s.hash()), c.time()));
    }
    chain.checkpoints.clear();
    chain.checkpoints.addAll(forged);
    ChainVerification r = verify();
    assertProblem(r, TamperKind.BAD_SIGNATURE, 5);
    assertThat(r.detail()).contains("untrusted key " + forger.fingerprint());
  }

  @Test
  void checkpointWhoseHashWasEditedWithoutResigning_isABadSignature() {
    Checkpoint c = chain.checkpoints.get(1);
    chain.checkpoints.set(1, Checkpoint.of(c.chainId(), c.sequence(), "12".repeat(32), c.time(), c.keyFingerprint(),
        c.signature()));
    ChainVerification r = verify();
    assertProblem(r, TamperKind.BAD_SIGNATURE, 10);
    assertThat(r.detail()).contains("signature is invalid");
  }

  @Test
  void checkpointsDeletedFromTheStoreButKeptByTheFileWitness_stillCatchARewrite(@TempDir Path dir) {
    Path file = dir.resolve("witness.jsonl");
    try (FileCheckpointWitness witness = new FileCheckpointWitness(file)) {
      chain.checkpoints.forEach(witness::publish);
    }
    AuditEvent e = chain.at(12);
    chain.events.set(11, e.toBuilder().seal(null).metadata("amount", 1).build());
    recomputeAllSeals();
    chain.checkpoints.clear();
    assertThat(verify().ok()).as("without checkpoints the rewrite cannot be seen").isTrue();
    ChainVerification r = VERIFIER.verify(ChainSource.of(SealedChain.CHAIN, chain.events,
        FileCheckpointWitness.read(file, SealedChain.CHAIN)));
    assertProblem(r, TamperKind.CHECKPOINT_MISMATCH, 15);
  }

  @Test
  void untrustedVerifier_reportsEveryCheckpointAsBadSignature() {
    ChainVerification r = ChainVerifier.builder(CheckpointKeys.none()).build().verify(chain.source());
    assertProblem(r, TamperKind.BAD_SIGNATURE, 5);
  }

  @Test
  void eventsUnsealedBeyondTheLag_areReported() {
    Instant now = Instant.parse("2026-02-01T00:00:10Z");
    ChainSource src = withOldestUnsealed(chain.source(), now.minusSeconds(5));
    ChainVerifier strict = ChainVerifier.builder(SIGNER.keys()).maxSealingLag(Duration.ofSeconds(1))
        .clock(Clock.fixed(now, ZoneOffset.UTC)).build();
    assertProblem(strict.verify(src), TamperKind.UNSEALED, 23);
    ChainVerifier lenient = ChainVerifier.builder(SIGNER.keys()).maxSealingLag(Duration.ofSeconds(10))
        .clock(Clock.fixed(now, ZoneOffset.UTC)).build();
    assertThat(lenient.verify(src).ok()).isTrue();
    assertThat(VERIFIER.verify(src).ok()).as("no lag configured: not checked").isTrue();
  }

  @Test
  void unsealedEventAmongSealedOnes_isReported() {
    chain.events.set(6, chain.at(7).toBuilder().seal(null).build());
    assertProblem(verify(), TamperKind.UNSEALED, 7);
  }

  @Test
  void chainStartingAfterAPurgeCheckpoint_isOk_butWithoutOneIsMissing() {
    chain.events.subList(0, 5).clear(); // #1..#5 purged, the checkpoint at #5 vouches for them
    ChainVerification r = verify();
    assertThat(r.ok()).as(r.summary()).isTrue();
    assertThat(r.eventsChecked()).isEqualTo(17);
    chain.checkpoints.remove(0);
    assertProblem(verify(), TamperKind.MISSING, 1);
    chain.events.remove(0); // starts at #7 now; the nearest checkpoint is gone too
    assertProblem(verify(), TamperKind.MISSING, 1);
  }

  @Test
  void emptyChain_isOk_butAnEmptyChainWithACheckpointIsTruncated() {
    assertThat(VERIFIER.verify(ChainSource.of(SealedChain.CHAIN, List.of(), List.of())).ok()).isTrue();
    ChainVerification r = VERIFIER.verify(ChainSource.of(SealedChain.CHAIN, List.of(), chain.checkpoints));
    assertProblem(r, TamperKind.TRUNCATED, 1);
  }

  @Test
  void checkpointOfAnotherChain_isAMismatch() {
    SealedChain other = new SealedChain();
    ChainSealer sealer = ChainSealer.startingAt(ChainHead.empty("t:other"));
    AuditEvent e = TestEvents.full("other", 1);
    sealer.seal(e);
    chain.checkpoints.add(1, SIGNER.sign(sealer.head(), Instant.EPOCH));
    assertThat(other.events).isEmpty();
    assertProblem(verify(), TamperKind.CHECKPOINT_MISMATCH, 1);
  }

  @Test
  void chainWithoutCheckpoints_isOkWithAWarning() {
    chain.checkpoints.clear();
    ChainVerification r = verify();
    assertThat(r.ok()).isTrue();
    assertThat(r.warnings()).singleElement().asString().contains("no signed checkpoint");
  }

  @Test
  void progress_isReported() {
    List<Long> seen = new ArrayList<>();
    ChainVerifier v = ChainVerifier.builder(SIGNER.keys()).progress(7, seen::add).build();
    assertThat(v.verify(chain.source()).ok()).isTrue();
    assertThat(seen).containsExactly(7L, 14L, 21L);
  }

  @Test
  void longChain_isVerifiedFromAStreamWithoutHoldingIt() {
    int size = 20_000;
    ChainSealer sealer = ChainSealer.startingAt(ChainHead.empty(SealedChain.CHAIN));
    Iterator<AuditEvent> generated = new Iterator<>() {
      int i;

      @Override
      public boolean hasNext() {
        return i < size;
      }

      @Override
      public AuditEvent next() {
        AuditEvent e = TestEvents.small(SealedChain.TENANT, i++);
        return SealedChain.withSeal(e, sealer.seal(e));
      }
    };
    ChainSource src = new ChainSource() {
      @Override
      public String chainId() {
        return SealedChain.CHAIN;
      }

      @Override
      public Stream<AuditEvent> events() {
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(generated, 0), false);
      }

      @Override
      public Stream<Checkpoint> checkpoints() {
        return Stream.empty();
      }
    };
    ChainVerification r = VERIFIER.verify(src);
    assertThat(r.ok()).isTrue();
    assertThat(r.eventsChecked()).isEqualTo(size);
    assertThat(r.headHash()).isEqualTo(sealer.head().hash());
  }

  @Test
  void streamsAreClosed() {
    boolean[] closed = new boolean[2];
    ChainSource src = new ChainSource() {
      @Override
      public String chainId() {
        return SealedChain.CHAIN;
      }

      @Override
      public Stream<AuditEvent> events() {
        return chain.events.stream().onClose(() -> closed[0] = true);
      }

      @Override
      public Stream<Checkpoint> checkpoints() {
        return chain.checkpoints.stream().onClose(() -> closed[1] = true);
      }
    };
    VERIFIER.verify(src);
    assertThat(closed).containsExactly(true, true);
  }

  @Test
  void badArguments_areRejected() {
    assertThatThrownBy(() -> ChainVerifier.builder(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> VERIFIER.verify(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> VERIFIER.verify(ChainSource.of("tenant-without-prefix", List.of(), List.of())))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("chain id");
    assertThatThrownBy(() -> ChainVerifier.builder(CheckpointKeys.none()).maxSealingLag(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ChainVerifier.builder(CheckpointKeys.none()).progress(0, n -> { }))
        .isInstanceOf(IllegalArgumentException.class);
  }

  // ---- tampering helpers ----

  private static AuditEvent reseal(AuditEvent e, Seal s) {
    return SealedChain.withSeal(e.toBuilder().seal(null).build(AuditLimits.unlimited()), s);
  }

  /** Adds {@code delta} to the sequence of every row from list index {@code from} on, keeping hashes. */
  private void renumberFrom(int from, int delta) {
    for (int i = from; i < chain.events.size(); i++) {
      Seal s = chain.events.get(i).seal().orElseThrow();
      chain.events.set(i, reseal(chain.events.get(i), new Seal(s.chainId(), s.sequence() + delta, s.previousHash(), s.hash())));
    }
  }

  /** Exchanges the events at two positions; each position keeps its seal. */
  private void swapContents(int a, int b) {
    AuditEvent ea = chain.at(a);
    AuditEvent eb = chain.at(b);
    chain.events.set(a - 1, reseal(eb, ea.seal().orElseThrow()));
    chain.events.set(b - 1, reseal(ea, eb.seal().orElseThrow()));
  }

  /** What someone who can write the store but has no signing key can do: re-seal everything. */
  private void recomputeAllSeals() {
    ChainSealer sealer = ChainSealer.startingAt(ChainHead.empty(SealedChain.CHAIN));
    for (int i = 0; i < chain.events.size(); i++) {
      AuditEvent e = chain.events.get(i).toBuilder().seal(null).build(AuditLimits.unlimited());
      chain.events.set(i, SealedChain.withSeal(e, sealer.seal(e)));
    }
  }

  private static ChainSource withOldestUnsealed(ChainSource s, Instant oldest) {
    return new ChainSource() {
      @Override
      public String chainId() {
        return s.chainId();
      }

      @Override
      public Stream<AuditEvent> events() {
        return s.events();
      }

      @Override
      public Stream<Checkpoint> checkpoints() {
        return s.checkpoints();
      }

      @Override
      public Optional<Instant> oldestUnsealed() {
        return Optional.of(oldest);
      }
    };
  }

  private static void assertProblem(ChainVerification r, TamperKind kind, long position) {
    assertThat(r.ok()).as(r.summary()).isFalse();
    assertThat(r.kind()).as(r.summary()).contains(kind);
    assertThat(r.position()).as(r.summary()).isEqualTo(position);
    assertThat(r.summary()).startsWith(kind + " at " + SealedChain.CHAIN + "#" + position);
  }
}

package dev.auditkit.core.chain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.auditkit.core.AuditEvent;
import dev.auditkit.core.Seal;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChainSealerTest {

  @Test
  void sealsAreGaplessFromOneAndLinked() {
    List<AuditEvent> events = TestEvents.chain("org-1", 5);
    List<Seal> seals = ChainSealer.seal(ChainHead.empty("t:org-1"), events);
    String prev = ChainSealer.genesisHash("t:org-1");
    for (int i = 0; i < seals.size(); i++) {
      Seal s = seals.get(i);
      assertThat(s.chainId()).isEqualTo("t:org-1");
      assertThat(s.sequence()).isEqualTo(i + 1);
      assertThat(s.previousHash()).isEqualTo(prev);
      assertThat(s.hash()).isEqualTo(ChainSealer.hash(prev, events.get(i))).matches("[0-9a-f]{64}");
      prev = s.hash();
    }
  }

  @Test
  void continuingFromAHead_givesTheSameSealsAsOneRun() {
    List<AuditEvent> events = TestEvents.chain("org-1", 6);
    List<Seal> all = ChainSealer.seal(ChainHead.empty("t:org-1"), events);
    ChainSealer first = ChainSealer.startingAt(ChainHead.empty("t:org-1"));
    first.sealAll(events.subList(0, 3));
    ChainHead head = ChainHead.of("t:org-1", first.head().sequence(), first.head().hash());
    assertThat(ChainSealer.seal(head, events.subList(3, 6))).isEqualTo(all.subList(3, 6));
    assertThat(head.sequence()).isEqualTo(3);
  }

  @Test
  void eventsWithoutTenant_goToTheGlobalChain() {
    AuditEvent e = TestEvents.full(null, 1);
    assertThat(ChainIds.of(e)).isEqualTo("global");
    assertThat(ChainSealer.seal(ChainHead.empty("global"), List.of(e)).get(0).chainId()).isEqualTo("global");
  }

  @Test
  void chainIds_areDistinctPerTenantAndKeepGlobalApart() {
    assertThat(ChainIds.forTenant("global")).isEqualTo("t:global").isNotEqualTo(ChainIds.GLOBAL);
    assertThat(ChainIds.tenantOf("t:org-1")).isEqualTo("org-1");
    assertThat(ChainIds.tenantOf("global")).isNull();
    assertThat(ChainSealer.genesisHash("t:a")).isNotEqualTo(ChainSealer.genesisHash("t:b"));
    assertThatThrownBy(() -> ChainIds.tenantOf("org-1")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ChainIds.tenantOf("t:")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void anEventOfAnotherChain_isRefused() {
    ChainSealer sealer = ChainSealer.startingAt(ChainHead.empty("t:org-1"));
    assertThatThrownBy(() -> sealer.seal(TestEvents.full("org-2", 1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("t:org-2");
    assertThat(sealer.head().sequence()).isZero();
  }

  @Test
  void anAlreadySealedEvent_isRefused() {
    AuditEvent e = TestEvents.full("org-1", 1);
    Seal s = ChainSealer.seal(ChainHead.empty("t:org-1"), List.of(e)).get(0);
    AuditEvent sealed = SealedChain.withSeal(e, s);
    assertThatThrownBy(() -> ChainSealer.startingAt(ChainHead.empty("t:org-1")).seal(sealed))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("already sealed");
  }

  @Test
  void malformedHeads_areRefused() {
    assertThatThrownBy(() -> ChainHead.of("t:x", -1, "0".repeat(64))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ChainHead.of("t:x", 1, "0".repeat(63))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ChainHead.of("t:x", 1, "A".repeat(64))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ChainHead.of("t:x", 1, null)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ChainHead.of("t:x", 0, "0".repeat(64)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("genesis");
    assertThatThrownBy(() -> ChainHead.of("x", 1, "0".repeat(64))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ChainHead.empty(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> ChainSealer.startingAt(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> ChainSealer.hash("zz", TestEvents.full("a", 1))).isInstanceOf(IllegalArgumentException.class);
  }
}

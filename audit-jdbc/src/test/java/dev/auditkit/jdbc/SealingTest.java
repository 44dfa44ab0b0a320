package dev.auditkit.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.auditkit.core.AuditEvent;
import dev.auditkit.testing.DatabaseTest;
import dev.auditkit.testing.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class SealingTest {
  private static final Instant T0 = Instant.parse("2026-11-20T10:00:00Z");

  static AuditEvent event(String tenant, int i) {
    return AuditEvent.builder()
        .tenantId(tenant)
        .occurredAt(T0.plus(i, ChronoUnit.SECONDS))
        .action("job.updated")
        .resource("Job", "job-" + i)
        .metadata("i", i)
        .build();
  }

  static JdbcAuditStore manualStore(TestDatabase db) {
    return JdbcAuditStore.builder(db.dataSource()).sealInterval(null).build();
  }

  @DatabaseTest
  void sealsEveryCommittedEventOnceInItsTenantsGaplessChain(TestDatabase db) throws SQLException {
    try (JdbcAuditStore store = manualStore(db)) {
      Random r = new Random(7);
      List<UUID> written = new ArrayList<>();
      String[] tenants = {"org-1", "org-2", "org-3", null};
      for (int batch = 0; batch < 10; batch++) {
        List<AuditEvent> events = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
          // times out of order: sealing follows commit order, not event time
          events.add(event(tenants[r.nextInt(tenants.length)], r.nextInt(100_000)));
        }
        store.write(events);
        events.forEach(e -> written.add(e.id()));
        if (batch == 4) {
          assertThat(store.sealNow()).isEqualTo(250);
        }
      }
      assertThat(store.sealNow()).isEqualTo(250);
      assertThat(store.sealNow()).isZero();

      Map<String, List<UUID>> chains = Chains.assertValid(db);
      assertThat(chains.keySet()).containsExactlyInAnyOrder("t:org-1", "t:org-2", "t:org-3", "global");
      assertThat(chains.values().stream().flatMap(List::stream)).containsExactlyInAnyOrderElementsOf(written);
      assertThat(store.sealingLag()).isEqualTo(Duration.ZERO);
    }
  }

  @DatabaseTest
  void closingAStore_sealsWhatIsCommitted_unlessSealingIsTheHosts(TestDatabase db) {
    List<AuditEvent> events = List.of(event("org-c", 1), event("org-c", 2), event(null, 3));
    // the background sealer's first pass is a minute away: only close can seal these
    try (JdbcAuditStore store = JdbcAuditStore.builder(db.dataSource()).sealInterval(Duration.ofMinutes(1)).build()) {
      store.write(events);
      assertThat(store.sealingLag()).isPositive();
    }
    try (JdbcAuditStore later = manualStore(db)) {
      assertThat(later.sealingLag()).as("all sealed on close").isEqualTo(Duration.ZERO);
      try (var chain = later.chain("t:org-c").events()) {
        assertThat(chain.map(e -> e.seal().orElseThrow().sequence())).containsExactly(1L, 2L);
      }
      later.write(List.of(event("org-c", 4)));
    } // sealInterval(null): sealing is the host's, and close leaves it alone
    try (JdbcAuditStore again = manualStore(db)) {
      assertThat(again.sealNow()).isEqualTo(1);
    }
  }

  /**
   * A database that blocks the last pass (here a lock another session holds on the chain table; a
   * hung server does the same) holds close for no longer than its timeout, idle or mid-pass.
   */
  @DatabaseTest
  void close_isNotHeldByADatabaseThatBlocksTheLastPass(TestDatabase db) throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(db.dialect() == dev.auditkit.testing.TestDialect.POSTGRESQL,
        "H2 locks differently");
    for (Duration interval : List.of(Duration.ofMinutes(1), Duration.ofMillis(200))) {
      JdbcAuditStore store = JdbcAuditStore.builder(db.dataSource()).sealInterval(interval)
          .closeSealTimeout(Duration.ofSeconds(1)).build();
      store.write(List.of(event("org-lock", 1)));
      try (Connection locker = db.connection()) {
        locker.setAutoCommit(false);
        try (Statement s = locker.createStatement()) {
          s.execute("lock table " + db.schema() + ".audit_chain in access exclusive mode");
        }
        Thread.sleep(interval.toMillis() < 1000 ? 600 : 0); // the 200 ms sealer is stuck in a pass by now
        // idle: the last pass waits and is left behind after 1 s; mid-pass: the stuck pass holds the stop 10 s
        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(30), store::close);
        locker.rollback();
      }
    }
    try (JdbcAuditStore later = manualStore(db)) {
      assertThat(later.sealNow()).isBetween(0, 1); // nothing lost: sealed by a pass that finished later, or now
      assertThat(later.sealingLag()).isEqualTo(Duration.ZERO);
    }
  }

  @DatabaseTest
  void verify_saysWhichEventsItDidNotCover_whileTheyWaitForTheirSeal(TestDatabase db) {
    try (JdbcAuditStore store = manualStore(db)) {
      store.write(List.of(event("org-v", 1), event("org-v", 2)));
      store.sealNow();
      Instant before = Instant.now().minusSeconds(1);
      store.write(List.of(event("org-v", 3)));
      dev.auditkit.core.chain.ChainVerification v = store.verify("t:org-v");
      assertThat(v.ok()).as(v.summary()).isTrue();
      assertThat(v.lastSequence()).isEqualTo(2);
      assertThat(v.oldestUnsealed()).hasValueSatisfying(t -> assertThat(t).isAfter(before));
      assertThat(v.summary()).contains("2 events up to #2").contains("are not sealed yet and not covered");

      store.sealNow();
      v = store.verify("t:org-v");
      assertThat(v.oldestUnsealed()).isEmpty();
      assertThat(v.summary()).contains("3 events up to #3").doesNotContain("not sealed");
    }
  }

  @DatabaseTest
  void aChainIdNothingWasWrittenFor_isRefused_notReportedIntact(TestDatabase db) {
    try (JdbcAuditStore store = manualStore(db)) {
      assertThatThrownBy(() -> store.verify("global")).as("nothing written yet").isInstanceOf(IllegalArgumentException.class);
      store.write(List.of(event("org-real", 1), event(null, 2)));
      assertThatThrownBy(() -> store.verify("t:org-typo")).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("no chain \"t:org-typo\"").hasMessageContaining("chainIds()");
      assertThatThrownBy(() -> store.exportChain("t:org-typo", java.io.OutputStream.nullOutputStream()))
          .isInstanceOf(IllegalArgumentException.class);
      // written but not sealed yet: a known chain, OK with nothing covered so far
      assertThat(store.verify("t:org-real").oldestUnsealed()).isPresent();
      assertThat(store.verify("global").ok()).isTrue();
      store.sealNow();
      assertThat(store.verify("t:org-real").eventsChecked()).isEqualTo(1);
    }
  }

  @DatabaseTest
  void smallPassesStillGiveGaplessChains(TestDatabase db) throws SQLException {
    try (JdbcAuditStore store = JdbcAuditStore.builder(db.dataSource()).sealInterval(null).sealBatch(7).build()) {
      for (int i = 0; i < 60; i++) {
        store.write(List.of(event(i % 2 == 0 ? "a" : "b", i)));
      }
      assertThat(store.sealNow()).isEqualTo(60);
      Map<String, List<UUID>> chains = Chains.assertValid(db);
      assertThat(chains.get("t:a")).hasSize(30);
      assertThat(chains.get("t:b")).hasSize(30);
    }
  }

  @DatabaseTest
  void aChainThatAppearsWhileFullPassesContinue_isSealedToo(TestDatabase db) throws SQLException {
    try (JdbcAuditStore store = JdbcAuditStore.builder(db.dataSource()).sealInterval(null).sealBatch(7).build()) {
      List<UUID> a = new ArrayList<>();
      for (int i = 0; i < 30; i++) {
        AuditEvent e = event("a", i);
        store.write(List.of(e));
        a.add(e.id());
      }
      // behind a's backlog: a chain the first passes never saw, and more of a
      List<AuditEvent> late = List.of(event("c", 100), event("c", 101), event("a", 102), event(null, 103));
      for (AuditEvent e : late) {
        store.write(List.of(e));
      }
      assertThat(store.sealNow()).isEqualTo(34);
      Map<String, List<UUID>> chains = Chains.assertValid(db);
      assertThat(chains.get("t:a")).hasSize(31).startsWith(a.toArray(UUID[]::new));
      assertThat(chains.get("t:c")).containsExactly(late.get(0).id(), late.get(1).id());
      assertThat(chains.get("global")).containsExactly(late.get(3).id());
      // the marks moved only as far as sealing got: later events of every chain still seal
      store.write(List.of(event("a", 200), event("c", 201), event("d", 202)));
      assertThat(store.sealNow()).isEqualTo(3);
      assertThat(Chains.assertValid(db).values().stream().mapToInt(List::size).sum()).isEqualTo(37);
      assertThat(store.verifyAll()).allSatisfy(v -> assertThat(v.ok()).as(v.summary()).isTrue());
    }
  }

  @DatabaseTest
  void aLongHostTransactionDelaysOnlyItsOwnRows(TestDatabase db) throws Exception {
    try (JdbcAuditStore store = manualStore(db); Connection host = db.connection()) {
      host.setAutoCommit(false);
      AuditEvent held1 = event("org-1", 1);
      AuditEvent held2 = event("org-1", 2);
      store.append(host, List.of(held1, held2)); // uncommitted, and stays so for a while

      List<AuditEvent> others = List.of(event("org-1", 3), event("org-2", 4), event(null, 5));
      store.write(others);
      // the same tenant's and other tenants' committed rows seal now, without waiting for the host
      assertThat(store.sealNow()).isEqualTo(3);
      Map<String, List<UUID>> chains = Chains.assertValid(db);
      assertThat(chains.get("t:org-1")).containsExactly(others.get(0).id());

      store.write(List.of(event("org-1", 6)));
      assertThat(store.sealNow()).isEqualTo(1);

      host.commit();
      assertThat(store.sealNow()).isEqualTo(2);
      chains = Chains.assertValid(db);
      assertThat(chains.get("t:org-1")).hasSize(4).endsWith(held1.id(), held2.id());
      assertThat(Chains.count(db, "select count(*) from audit_seal")).isEqualTo(6);
    }
  }

  /**
   * PostgreSQL: a chain's high mark lets passes read rows above it without looking them up in the
   * seal table. It holds for every seal (checked here after ordinary and held-back sealing), and a
   * mark that no longer matches the head (left by a sealer version that does not keep it) or none
   * (a chain from before schema version 4) is not trusted: rows sealed above the low-water mark
   * while a host transaction held it back are not sealed a second time.
   */
  @DatabaseTest
  void aChainsHighMarkCoversEverySeal_andAVoidOneIsNotTrusted(TestDatabase db) throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(db.dialect() == dev.auditkit.testing.TestDialect.POSTGRESQL,
        "H2 has no transaction ids and no high mark");
    for (String voiding : List.of("high_xid = '0'::xid8, high_seq = head_seq - 1", "high_xid = null, high_seq = null")) {
      try (JdbcAuditStore store = manualStore(db); Connection host = db.connection()) {
        long before = Chains.count(db, "select count(*) from audit_seal");
        host.setAutoCommit(false);
        AuditEvent held = event("org-9", 1);
        store.append(host, List.of(held)); // holds the low-water mark back
        List<AuditEvent> later = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
          later.add(event("org-9", 10 + i));
        }
        store.write(later);
        assertThat(store.sealNow()).isEqualTo(50);
        assertHighMarksCoverEverySeal(db);

        try (Connection c = db.connection(); java.sql.Statement st = c.createStatement()) {
          assertThat(st.executeUpdate("update audit_chain set " + voiding + " where chain_id = 't:org-9'")).isEqualTo(1);
        }
        host.commit();
        // trusting the void mark would read the 50 sealed rows above the low-water mark as unsealed:
        // the pass would fail on the seal keys (a retry then quarantines them). One pass, directly:
        dev.auditkit.jdbc.internal.Sealer sealer = postgresSealer(db);
        assertThat(sealer.sealOnce().sealed()).isEqualTo(1);
        assertThat(sealer.quarantined()).isEmpty();
        assertThat(store.sealNow()).isZero();
        assertThat(Chains.count(db, "select count(*) from audit_seal")).isEqualTo(before + 51);
        assertThat(Chains.assertValid(db).get("t:org-9")).endsWith(held.id());
        assertHighMarksCoverEverySeal(db);
      }
    }
  }

  /** One PostgreSQL sealer, run pass by pass. */
  private static dev.auditkit.jdbc.internal.Sealer postgresSealer(TestDatabase db) {
    dev.auditkit.jdbc.internal.Dialect pg = dev.auditkit.jdbc.internal.Dialect.POSTGRESQL;
    return new dev.auditkit.jdbc.internal.Sealer(db.dataSource(), pg,
        dev.auditkit.jdbc.internal.Names.of(db.schema(), "audit_"), new dev.auditkit.jdbc.internal.EventReader(pg),
        20_000, new dev.auditkit.jdbc.internal.Checkpointing(
            dev.auditkit.core.chain.CheckpointSigner.fromPem(TestKeys.PRIVATE_PEM, TestKeys.PUBLIC_PEM),
            dev.auditkit.core.chain.CheckpointPolicy.defaults(), List.of(), java.time.Clock.systemUTC()));
  }

  /**
   * PostgreSQL: while every chain's low-water mark is below the oldest running transaction (the
   * steady state of a busy store), a pass does not look for work first; it locks every chain and
   * reads. A tenant that has no chain yet is met in that read: the pass registers it and says there
   * is more, and the next pass seals it, in writing order. With a host transaction holding the marks
   * back, a pass looks first, so the held-back tenant's newer rows are sealed in the same pass.
   */
  @DatabaseTest
  void aPassThatDoesNotLookForWork_leavesANewTenantToTheNextPass(TestDatabase db) throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(db.dialect() == dev.auditkit.testing.TestDialect.POSTGRESQL,
        "H2 passes always read every unsealed row");
    try (JdbcAuditStore store = JdbcAuditStore.builder(db.dataSource()).sealInterval(null)
        .checkpointSigner(dev.auditkit.core.chain.CheckpointSigner.fromPem(TestKeys.PRIVATE_PEM, TestKeys.PUBLIC_PEM))
        .build()) {
      store.write(List.of(event("org-1", 1), event("org-2", 2)));
      assertThat(store.sealNow()).isEqualTo(2);
      dev.auditkit.jdbc.internal.Sealer sealer = postgresSealer(db);

      List<AuditEvent> mixed = List.of(event("org-new", 3), event("org-1", 4), event("org-new", 5), event("org-2", 6));
      store.write(mixed);
      dev.auditkit.jdbc.internal.Sealer.Pass first = sealer.sealOnce();
      assertThat(first.sealed()).isEqualTo(2);
      assertThat(first.more()).isTrue();
      assertThat(first.registered()).as("so that background sealing goes on at once").isTrue();
      assertThat(Chains.count(db, "select count(*) from audit_chain where chain_id = 't:org-new'")).isEqualTo(1);
      dev.auditkit.jdbc.internal.Sealer.Pass second = sealer.sealOnce();
      assertThat(second.sealed()).isEqualTo(2);
      assertThat(second.registered()).isFalse();
      assertThat(sealer.sealOnce().sealed()).isZero();
      Map<String, List<UUID>> chains = Chains.assertValid(db);
      assertThat(chains.get("t:org-new")).containsExactly(mixed.get(0).id(), mixed.get(2).id());
      assertThat(chains.get("t:org-1")).hasSize(2).endsWith(mixed.get(1).id());
      assertHighMarksCoverEverySeal(db);

      // marks held back at a running transaction: the pass looks for work and seals a new tenant at once
      try (Connection host = db.connection()) {
        host.setAutoCommit(false);
        AuditEvent held = event("org-1", 7);
        store.append(host, List.of(held));
        assertThat(sealer.sealOnce().sealed()).isZero(); // every mark is now the host's transaction
        List<AuditEvent> meanwhile = List.of(event("org-1", 8), event("org-late", 9));
        store.write(meanwhile);
        assertThat(sealer.sealOnce().sealed()).isEqualTo(2);
        host.commit();
        assertThat(sealer.sealOnce().sealed()).isEqualTo(1);
        assertThat(Chains.assertValid(db).get("t:org-1")).endsWith(meanwhile.get(0).id(), held.id());
      }
      assertThat(store.verifyAll()).allSatisfy(v -> assertThat(v.ok()).as(v.summary()).isTrue());
    }
  }

  /**
   * PostgreSQL: a pass that does not look for work meets the rows of a chain another sealer holds
   * (here: its chain row is updated and not committed, as in the middle of that sealer's pass). It
   * must skip them without waiting for that sealer while holding its own chains, and leave them to
   * it; they are sealed once the other sealer is done.
   */
  @DatabaseTest
  void aChainAnotherSealerHolds_isNotWaitedFor(TestDatabase db) throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(db.dialect() == dev.auditkit.testing.TestDialect.POSTGRESQL,
        "H2 sealers serialise on a lock row");
    try (JdbcAuditStore store = manualStore(db); Connection other = db.connection()) {
      store.write(List.of(event("org-1", 1), event("org-2", 2)));
      assertThat(store.sealNow()).isEqualTo(2);
      dev.auditkit.jdbc.internal.Sealer sealer = postgresSealer(db);
      List<AuditEvent> next = List.of(event("org-1", 3), event("org-2", 4));
      store.write(next);
      other.setAutoCommit(false);
      try (Statement st = other.createStatement()) {
        assertThat(st.executeUpdate("update audit_chain set updated_at = clock_timestamp() where chain_id = 't:org-2'"))
            .isEqualTo(1);
      }
      dev.auditkit.jdbc.internal.Sealer.Pass p = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
          Duration.ofSeconds(15), sealer::sealOnce, "the pass waited for the sealer holding t:org-2");
      assertThat(p.sealed()).isEqualTo(1);
      assertThat(p.more()).isTrue();
      assertThat(p.registered()).isFalse();
      other.commit();
      assertThat(sealer.sealOnce().sealed()).isEqualTo(1);
      Map<String, List<UUID>> chains = Chains.assertValid(db);
      assertThat(chains.get("t:org-1")).endsWith(next.get(0).id());
      assertThat(chains.get("t:org-2")).endsWith(next.get(1).id());
    }
  }

  /**
   * While a host transaction holds the low-water marks back, one tenant seals far more than a pass
   * takes; a tenant that appears afterwards is still sealed at once (its pass must not fill up with
   * the other tenant's sealed rows above the marks).
   */
  @DatabaseTest
  void aNewTenantIsSealedWhileAnotherSealedManyRowsAboveAHeldBackMark(TestDatabase db) throws Exception {
    try (JdbcAuditStore store = JdbcAuditStore.builder(db.dataSource()).sealInterval(null).sealBatch(20).build();
        Connection host = db.connection()) {
      host.setAutoCommit(false);
      AuditEvent held = event("org-h", 1);
      store.append(host, List.of(held));
      List<AuditEvent> busy = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        busy.add(event("org-b", 10 + i));
      }
      store.write(busy);
      assertThat(store.sealNow(Duration.ofSeconds(20))).isEqualTo(100);

      List<AuditEvent> fresh = List.of(event("org-a", 200), event("org-a", 201), event("org-a", 202));
      store.write(fresh);
      assertThat(store.sealNow(Duration.ofSeconds(20))).isEqualTo(3);
      assertThat(Chains.assertValid(db).get("t:org-a")).containsExactlyElementsOf(fresh.stream().map(AuditEvent::id).toList());

      host.commit();
      assertThat(store.sealNow(Duration.ofSeconds(20))).isEqualTo(1);
      assertThat(Chains.count(db, "select count(*) from audit_seal")).isEqualTo(104);
    }
  }

  private static void assertHighMarksCoverEverySeal(TestDatabase db) throws SQLException {
    assertThat(Chains.count(db, "select count(*) from audit_chain where high_seq is distinct from head_seq")).isZero();
    assertThat(Chains.count(db, "select count(*) from audit_seal s join audit_event e on e.id = s.event_id"
        + " and e.occurred_at = s.occurred_at join audit_chain c on c.chain_id = s.chain_id"
        + " where e.tx_id > c.high_xid")).isZero();
  }

  @DatabaseTest
  void aRolledBackHostTransactionLeavesNothingToSeal(TestDatabase db) throws Exception {
    try (JdbcAuditStore store = manualStore(db); Connection host = db.connection()) {
      host.setAutoCommit(false);
      store.append(host, List.of(event("org-1", 1)));
      host.rollback();
      store.write(List.of(event("org-1", 2)));
      assertThat(store.sealNow()).isEqualTo(1);
      assertThat(Chains.assertValid(db).get("t:org-1")).hasSize(1);
    }
  }

  @DatabaseTest
  void theBackgroundSealerSealsWithoutBeingAsked(TestDatabase db) throws Exception {
    try (JdbcAuditStore store = JdbcAuditStore.builder(db.dataSource()).sealInterval(Duration.ofMillis(50)).build()) {
      List<AuditEvent> events = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        events.add(event("org-" + (i % 5), i));
      }
      store.write(events);
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (Chains.count(db, "select count(*) from audit_seal") < 100 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(Chains.count(db, "select count(*) from audit_seal")).isEqualTo(100);
      assertThat(Chains.assertValid(db)).hasSize(5);
    }
  }

  @DatabaseTest
  void sealingLagShowsHowLongTheOldestUnsealedEventWaits(TestDatabase db) throws Exception {
    try (JdbcAuditStore store = manualStore(db)) {
      assertThat(store.sealingLag()).isEqualTo(Duration.ZERO);
      store.write(List.of(event("org-1", 1)));
      Thread.sleep(30);
      assertThat(store.sealingLag()).isGreaterThanOrEqualTo(Duration.ofMillis(20));
      store.sealNow();
      assertThat(store.sealingLag()).isEqualTo(Duration.ZERO);
    }
  }

  @DatabaseTest
  void sealsAndCheckpointsAreAppendOnly(TestDatabase db) throws Exception {
    try (JdbcAuditStore store = manualStore(db)) {
      store.write(List.of(event("org-1", 1), event("org-1", 2)));
      store.sealNow();
    }
    for (String sql : List.of("update audit_seal set hash = 'x'", "delete from audit_seal where seq = 2",
        "truncate table audit_seal", "truncate table audit_checkpoint")) {
      try (Connection c = db.connection(); Statement s = c.createStatement()) {
        assertThatThrownBy(() -> s.execute(sql)).as(sql).isInstanceOf(SQLException.class);
      }
    }
    assertThat(Chains.assertValid(db).get("t:org-1")).hasSize(2);
  }

  @Test
  void sealingSettingsAreChecked() {
    JdbcAuditStore.Builder b = JdbcAuditStore.builder("jdbc:h2:mem:unused");
    assertThatThrownBy(() -> b.sealInterval(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.sealInterval(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.sealInterval(Duration.ofMinutes(2))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.sealBatch(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.sealBatch(2_000_000)).isInstanceOf(IllegalArgumentException.class);
  }
}

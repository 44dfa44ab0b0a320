package dev.auditkit.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.auditkit.core.AuditEvent;
import dev.auditkit.core.chain.ChainVerification;
import dev.auditkit.core.chain.TamperKind;
import dev.auditkit.testing.DatabaseTest;
import dev.auditkit.testing.TestDatabase;
import dev.auditkit.testing.TestDialect;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A stored event without the writer's event hash that cannot be read back (damaged behind the
 * store's back: metadata nested deeper than the JSON reader accepts, or an actor type no version of
 * auditkit writes) must not stop sealing for everybody: it stays unsealed, is logged, and
 * {@code verify} reports it; every other event is sealed. (A damaged event that still has its
 * hash is sealed by that hash and reported as modified: {@link EventHashTest}.)
 */
class PoisonEventTest {

  @DatabaseTest
  void anUnreadableEventIsLeftUnsealedAndEverythingElseIsSealed(TestDatabase db) throws Exception {
    try (JdbcAuditStore store = JdbcAuditStore.builder(db.dataSource()).sealInterval(null)
        .maxSealingLag(Duration.ZERO).build()) {
      AuditEvent poison = SealingTest.event("org-1", 1);
      store.write(List.of(poison));
      String deep = "{\"a\":".repeat(1100) + "1" + "}".repeat(1100);
      try (Connection c = EventHashTest.privileged(db)) {
        try (PreparedStatement ps = c.prepareStatement(db.dialect() == TestDialect.POSTGRESQL
            ? "update audit_event set metadata = ?::jsonb, event_hash = null where id = ?"
            : "update audit_event set actor_type = ?, event_hash = null where id = ?")) {
          ps.setString(1, db.dialect() == TestDialect.POSTGRESQL ? deep : "ROBOT");
          ps.setObject(2, poison.id());
          assertThat(ps.executeUpdate()).isEqualTo(1);
        }
      }
      List<AuditEvent> good = List.of(SealingTest.event("org-1", 2), SealingTest.event("org-2", 3));
      store.write(good);

      assertThat(store.sealNow(Duration.ofSeconds(30))).isEqualTo(2);
      assertThat(Chains.count(db, "select count(*) from audit_seal")).isEqualTo(2);
      assertThat(store.verify("t:org-2").ok()).isTrue();
      ChainVerification v = store.verify("t:org-1");
      assertThat(v.kind()).as(v.summary()).contains(TamperKind.UNSEALED);

      // later events of the same tenant still seal
      store.write(List.of(SealingTest.event("org-1", 4)));
      assertThat(store.sealNow(Duration.ofSeconds(30))).isEqualTo(1);
      assertThat(Chains.assertValid(db).get("t:org-1")).hasSize(2);
    }
  }

  @DatabaseTest
  void aSecondStoredEventWithAnIdThatIsSealedAlready_isReportedUnsealed_andSealingGoesOn(TestDatabase db) throws Exception {
    try (JdbcAuditStore store = JdbcAuditStore.builder(db.dataSource()).sealInterval(null)
        .maxSealingLag(Duration.ZERO).build()) {
      AuditEvent original = SealingTest.event("org-1", 1);
      store.write(List.of(original));
      assertThat(store.sealNow(Duration.ofSeconds(30))).isEqualTo(1);
      // the same id at another time: a different row (the key is id and time), stored, never sealable
      AuditEvent twin = original.toBuilder().occurredAt(original.occurredAt().plusSeconds(1)).build();
      store.write(List.of(twin));
      AuditEvent inSamePass = SealingTest.event("org-2", 2);
      AuditEvent sameIdUnsealed = inSamePass.toBuilder().occurredAt(inSamePass.occurredAt().plusSeconds(5)).build();
      store.write(List.of(inSamePass));
      store.write(List.of(sameIdUnsealed));
      store.write(List.of(SealingTest.event("org-1", 3)));

      // the first attempt may fail on the seal keys; sealNow retries and finishes
      assertThat(store.sealNow(Duration.ofSeconds(60))).isEqualTo(2);
      assertThat(Chains.count(db, "select count(*) from audit_seal")).isEqualTo(3);
      ChainVerification v1 = store.verify("t:org-1");
      assertThat(v1.kind()).as(v1.summary()).contains(TamperKind.UNSEALED);
      ChainVerification v2 = store.verify("t:org-2");
      assertThat(v2.kind()).as(v2.summary()).contains(TamperKind.UNSEALED);
      store.write(List.of(SealingTest.event("org-1", 4)));
      assertThat(store.sealNow(Duration.ofSeconds(30))).isEqualTo(1);
    }
  }

  /**
   * A sealed row changed afterwards into something that is no event at all (metadata that is not an
   * object, an actor type or kind auditkit never writes, changes that are no list of changes, a
   * malformed action) is reported as modified at its position, by the
   * store's verify and by the offline verifier of an export; verify does not stop at it.
   */
  @DatabaseTest
  void aSealedRowThatNoLongerHoldsAnEvent_isReportedModifiedAtItsPosition(TestDatabase db) throws Exception {
    String[] tamperings = db.dialect() == TestDialect.POSTGRESQL
        ? new String[] {"metadata = '[1, 2]'::jsonb", "actor_type = 'ROBOT'", "kind = 'TELEPORT'",
            "changes = '{\"path\": \"x\"}'::jsonb", "changes = '[{\"from\": 1}]'::jsonb",
            "actor_extra_ids = '[\"a\"]'::jsonb", "action = 'not an action!'"}
        : new String[] {"metadata = '[1, 2]' format json", "actor_type = 'ROBOT'", "kind = 'TELEPORT'",
            "changes = '{\"path\": \"x\"}' format json", "changes = '[{\"from\": 1}]' format json",
            "actor_extra_ids = '[\"a\"]' format json", "action = 'not an action!'"};
    try (JdbcAuditStore store = JdbcAuditStore.builder(db.dataSource()).sealInterval(null).build()) {
      for (int t = 0; t < tamperings.length; t++) {
        String tenant = "org-t" + t;
        List<AuditEvent> events = List.of(SealingTest.event(tenant, 1), SealingTest.event(tenant, 2),
            SealingTest.event(tenant, 3));
        store.write(events);
        assertThat(store.sealNow(Duration.ofSeconds(30))).isEqualTo(3);
        try (Connection c = EventHashTest.privileged(db)) {
          try (PreparedStatement ps = c.prepareStatement("update audit_event set " + tamperings[t] + " where id = ?")) {
            ps.setObject(1, events.get(1).id());
            assertThat(ps.executeUpdate()).isEqualTo(1);
          }
        }
        // queries show the row as what it now is, naming the problem, instead of failing
        AuditEvent shown = store.findById(events.get(1).id()).orElseThrow();
        assertThat(shown.action()).as(tamperings[t]).isEqualTo("auditkit.unreadable_row");
        assertThat(shown.tenantId()).isEqualTo(tenant);
        assertThat(shown.metadata().path("unreadable").asText()).as(tamperings[t]).isNotBlank();
        assertThat(store.findById(events.get(0).id())).contains(events.get(0));
        assertThat(store.events(Instant.EPOCH, Instant.parse("9999-01-01T00:00:00Z"), 10_000))
            .extracting(AuditEvent::id).contains(events.get(0).id(), events.get(1).id(), events.get(2).id());

        ChainVerification v = store.verify("t:" + tenant);
        assertThat(v.kind()).as(tamperings[t] + ": " + v.summary()).contains(TamperKind.MODIFIED);
        assertThat(v.position()).isEqualTo(2);
        assertThat(v.eventId()).contains(events.get(1).id());

        java.nio.file.Path export = java.nio.file.Files.createTempFile("chain", ".jsonl");
        try {
          try (java.io.OutputStream out = java.nio.file.Files.newOutputStream(export)) {
            store.exportChain("t:" + tenant, out);
          }
          ChainVerification offline = dev.auditkit.core.chain.ChainExportReader.open(export)
              .verify(dev.auditkit.core.chain.ChainVerifier.builder(store.checkpointKeys()).build());
          assertThat(offline.kind()).as(offline.summary()).contains(TamperKind.MODIFIED);
          assertThat(offline.position()).isEqualTo(2);
        } finally {
          java.nio.file.Files.deleteIfExists(export);
        }
      }
    }
  }
}

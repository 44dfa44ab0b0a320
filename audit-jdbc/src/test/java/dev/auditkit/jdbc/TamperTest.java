package dev.auditkit.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.auditkit.core.AuditEvent;
import dev.auditkit.core.chain.ChainExportReader;
import dev.auditkit.core.chain.ChainSealer;
import dev.auditkit.core.chain.ChainVerification;
import dev.auditkit.core.chain.ChainVerifier;
import dev.auditkit.core.chain.Checkpoint;
import dev.auditkit.core.chain.CheckpointPolicy;
import dev.auditkit.core.chain.CheckpointSigner;
import dev.auditkit.core.chain.FileCheckpointWitness;
import dev.auditkit.core.chain.TamperKind;
import dev.auditkit.testing.DatabaseTest;
import dev.auditkit.testing.TestDatabase;
import dev.auditkit.testing.TestDialect;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;

/**
 * Guarantee 3 on both databases: someone with a privileged connection that bypasses the
 * append-only triggers changes the stored chain; {@code verify} names the first bad position and
 * its kind. Checkpoints every 5 events; the chain has 20 events, checkpoints at 5, 10, 15 and 20.
 */
class TamperTest {
  static final String CHAIN = "t:org-1";
  static final CheckpointSigner SIGNER = CheckpointSigner.fromPem(TestKeys.PRIVATE_PEM, TestKeys.PUBLIC_PEM);

  private static JdbcAuditStore sealedChain(TestDatabase db, Duration maxLag) {
    JdbcAuditStore store = JdbcAuditStore.builder(db.dataSource())
        .sealInterval(null)
        .checkpointSigner(SIGNER)
        .checkpointPolicy(CheckpointPolicy.of(5, Duration.ofHours(1)))
        .maxSealingLag(maxLag)
        .build();
    for (int batch = 0; batch < 4; batch++) {
      List<AuditEvent> events = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        events.add(SealingTest.event("org-1", batch * 5 + i));
      }
      store.write(events);
      store.sealNow();
    }
    store.write(List.of(SealingTest.event("org-2", 99)));
    store.sealNow();
    return store;
  }

  private static JdbcAuditStore sealedChain(TestDatabase db) {
    return sealedChain(db, Duration.ofMinutes(1));
  }

  /** Runs statements on a connection that bypasses the append-only triggers. */
  private static void tamper(TestDatabase db, String... sql) throws SQLException {
    try (Connection c = db.connection(); Statement s = c.createStatement()) {
      if (db.dialect() == TestDialect.POSTGRESQL) {
        s.execute("set session_replication_role = replica"); // a superuser switches triggers off
      } else {
        for (String t : List.of("event_no_update", "event_no_delete", "seal_no_update", "seal_no_delete")) {
          s.execute("drop trigger if exists audit_" + t);
        }
      }
      for (String q : sql) {
        s.execute(q);
      }
    }
  }

  private static String eventAt(TestDatabase db, long seq) throws SQLException {
    try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(
        "select event_id from audit_seal where chain_id = ? and seq = ?")) {
      ps.setString(1, CHAIN);
      ps.setLong(2, seq);
      try (ResultSet rs = ps.executeQuery()) {
        assertThat(rs.next()).isTrue();
        return rs.getString(1);
      }
    }
  }

  private static void assertTampered(ChainVerification v, TamperKind kind, long position) {
    assertThat(v.ok()).as(v.summary()).isFalse();
    assertThat(v.kind()).as(v.summary()).contains(kind);
    assertThat(v.position()).as(v.summary()).isEqualTo(position);
  }

  @DatabaseTest
  void anUntouchedChainVerifies(TestDatabase db) {
    try (JdbcAuditStore store = sealedChain(db)) {
      ChainVerification v = store.verify(CHAIN);
      assertThat(v.ok()).as(v.summary()).isTrue();
      assertThat(v.eventsChecked()).isEqualTo(20);
      assertThat(v.checkpointsChecked()).isEqualTo(4);
      assertThat(store.chainIds()).containsExactly("t:org-1", "t:org-2");
      assertThat(store.verifyAll()).allMatch(ChainVerification::ok);
    }
  }

  @DatabaseTest
  void oneModifiedFieldIsFound(TestDatabase db) throws SQLException {
    try (JdbcAuditStore store = sealedChain(db)) {
      tamper(db, "update audit_event set resource_id = 'job-999' where id = '" + eventAt(db, 7) + "'");
      assertTampered(store.verify(CHAIN), TamperKind.MODIFIED, 7);
      assertThat(store.verify("t:org-2").ok()).isTrue();
    }
  }

  /**
   * Changes that the event model would clean away when an event is built (a control or bidi
   * character, an empty text where the writer stores null, a JSON key made unclean, a key written
   * twice) are found too: verify hashes the row exactly as stored, not a cleaned-up copy of it.
   */
  @DatabaseTest
  void changesTheModelWouldCleanAway_areFoundToo(TestDatabase db) throws SQLException {
    boolean pg = db.dialect() == TestDialect.POSTGRESQL;
    String json = pg ? "'%s'::jsonb" : "'%s' format json";
    List<String> tamperings = new ArrayList<>(List.of(
        "resource_id = resource_id || " + (pg ? "chr(8238)" : "char(8238)"), // right-to-left override
        "resource_id = 'job-' || " + (pg ? "chr(7)" : "char(7)") + " || '2'",
        "from_state = ''",
        "metadata = " + String.format(json, "{\"i\\u0007\": 2}"),
        "metadata = " + String.format(json, "{\"i\\u202e\": 2}"),
        "changes = " + String.format(json, "[]"), // null where nothing changed
        "actor_extra_ids = " + String.format(json, "{}")));
    if (!pg) { // jsonb keeps one value per key; JSON text keeps both, and readers disagree on which counts
      tamperings.add("metadata = " + String.format(json, "{\"i\": 9, \"i\": 2}"));
    }
    try (JdbcAuditStore store = JdbcAuditStore.builder(db.dataSource()).sealInterval(null).checkpointSigner(SIGNER)
        .build()) {
      for (int t = 0; t < tamperings.size(); t++) {
        String tenant = "org-c" + t;
        List<AuditEvent> events = List.of(SealingTest.event(tenant, 1), SealingTest.event(tenant, 2),
            SealingTest.event(tenant, 3));
        store.write(events);
        store.sealNow();
        assertThat(store.verify("t:" + tenant).ok()).isTrue();
        tamper(db, "update audit_event set " + tamperings.get(t) + " where id = '" + events.get(1).id() + "'");
        assertTampered(store.verify("t:" + tenant), TamperKind.MODIFIED, 2);
      }
    }
  }

  /** PostgreSQL keeps an address as inet: a mask added to it (host() would not show it) is found. */
  @DatabaseTest(TestDialect.POSTGRESQL)
  void aMaskAddedToAStoredAddress_isFound(TestDatabase db) throws SQLException {
    try (JdbcAuditStore store = JdbcAuditStore.builder(db.dataSource()).sealInterval(null).checkpointSigner(SIGNER)
        .build()) {
      List<AuditEvent> events = new ArrayList<>();
      for (int i = 1; i <= 3; i++) {
        events.add(SealingTest.event("org-ip", i).toBuilder()
            .request(dev.auditkit.core.RequestInfo.builder().ip(i == 2 ? "::102:304" : "10.0.0." + i).build())
            .build());
      }
      store.write(events);
      store.sealNow();
      assertThat(store.verify("t:org-ip").ok()).as("::102:304 reads back as PostgreSQL prints it, ::1.2.3.4").isTrue();
      tamper(db, "update audit_event set ip = '::102:304/64' where id = '" + events.get(1).id() + "'");
      assertTampered(store.verify("t:org-ip"), TamperKind.MODIFIED, 2);
    }
  }

  @DatabaseTest
  void anEventDeletedInTheMiddleIsFound(TestDatabase db) throws SQLException {
    try (JdbcAuditStore store = sealedChain(db)) {
      tamper(db, "delete from audit_event where id = '" + eventAt(db, 9) + "'");
      assertTampered(store.verify(CHAIN), TamperKind.MISSING, 9);
    }
  }

  @DatabaseTest
  void anEventDeletedWithItsSealIsFound(TestDatabase db) throws SQLException {
    try (JdbcAuditStore store = sealedChain(db)) {
      String id = eventAt(db, 9);
      tamper(db, "delete from audit_seal where event_id = '" + id + "'", "delete from audit_event where id = '" + id + "'");
      assertTampered(store.verify(CHAIN), TamperKind.MISSING, 9);
    }
  }

  @DatabaseTest
  void theNewestEventsDeletedAfterACheckpointAreFound(TestDatabase db) throws SQLException {
    try (JdbcAuditStore store = sealedChain(db)) {
      List<String> sql = new ArrayList<>();
      for (long seq = 18; seq <= 20; seq++) {
        String id = eventAt(db, seq);
        sql.add("delete from audit_seal where event_id = '" + id + "'");
        sql.add("delete from audit_event where id = '" + id + "'");
      }
      tamper(db, sql.toArray(String[]::new));
      assertTampered(store.verify(CHAIN), TamperKind.TRUNCATED, 18);
    }
  }

  @DatabaseTest
  void aForgedEventInsertedIsFound(TestDatabase db) throws SQLException {
    try (JdbcAuditStore store = sealedChain(db)) {
      // the forger writes a real-looking event and gives it position 7 with a correctly computed hash
      AuditEvent forged = SealingTest.event("org-1", 6);
      store.write(List.of(forged));
      String prev;
      try (Stream<AuditEvent> events = store.chain(CHAIN).events()) {
        prev = events.filter(e -> e.seal().get().sequence() == 6).findFirst().get().seal().get().hash();
      }
      String hash = ChainSealer.hash(prev, forged);
      tamper(db,
          "update audit_seal set seq = seq + 1000 where chain_id = '" + CHAIN + "' and seq >= 7",
          "update audit_seal set seq = seq - 999 where chain_id = '" + CHAIN + "' and seq >= 1007",
          "insert into audit_seal (chain_id, seq, event_id, occurred_at, prev_hash, hash) values ('" + CHAIN
              + "', 7, '" + forged.id() + "', " + timestamp(db, forged) + ", '" + prev + "', '" + hash + "')");
      assertTampered(store.verify(CHAIN), TamperKind.INSERTED, 7);
    }
  }

  @DatabaseTest
  void twoEventsSwappedAreFound(TestDatabase db) throws SQLException {
    try (JdbcAuditStore store = sealedChain(db)) {
      String a = eventAt(db, 12);
      String b = eventAt(db, 13);
      String tmp = UUID.randomUUID().toString();
      // seal 12 now points at event 13 and the other way round (times follow their events)
      tamper(db,
          "update audit_seal set event_id = '" + tmp + "' where event_id = '" + a + "'",
          "update audit_seal set event_id = '" + a + "', occurred_at = (select occurred_at from audit_event where id = '"
              + a + "') where event_id = '" + b + "'",
          "update audit_seal set event_id = '" + b + "', occurred_at = (select occurred_at from audit_event where id = '"
              + b + "') where event_id = '" + tmp + "'");
      assertTampered(store.verify(CHAIN), TamperKind.REORDERED, 12);
    }
  }

  @DatabaseTest
  void aChainRecomputedWithoutTheSigningKeyIsFound(TestDatabase db) throws SQLException {
    try (JdbcAuditStore store = sealedChain(db)) {
      tamper(db, "update audit_event set resource_id = 'job-999' where id = '" + eventAt(db, 7) + "'");
      // the attacker recomputes every hash from position 7 on, but cannot sign new checkpoints
      List<String> sql = new ArrayList<>();
      String prev = null;
      try (Stream<AuditEvent> events = store.chain(CHAIN).events()) {
        for (AuditEvent e : (Iterable<AuditEvent>) events::iterator) {
          long seq = e.seal().get().sequence();
          if (seq < 7) {
            prev = e.seal().get().hash();
            continue;
          }
          AuditEvent unsealed = e.toBuilder().seal(null).build(dev.auditkit.core.AuditLimits.unlimited());
          String hash = ChainSealer.hash(prev, unsealed);
          sql.add("update audit_seal set prev_hash = '" + prev + "', hash = '" + hash + "' where chain_id = '" + CHAIN
              + "' and seq = " + seq);
          prev = hash;
        }
      }
      tamper(db, sql.toArray(String[]::new));
      ChainVerification v = store.verify(CHAIN);
      assertTampered(v, TamperKind.CHECKPOINT_MISMATCH, 10);
    }
  }

  @DatabaseTest
  void anEventLeftUnsealedBeyondTheLagIsFound(TestDatabase db) {
    try (JdbcAuditStore store = sealedChain(db, Duration.ZERO)) {
      store.write(List.of(SealingTest.event("org-1", 50))); // never sealed: sealing is off here
      ChainVerification v = store.verify(CHAIN);
      assertTampered(v, TamperKind.UNSEALED, 21);
      store.sealNow();
      assertThat(store.verify(CHAIN).ok()).isTrue();
    }
  }

  @DatabaseTest
  void checkpointsReachTheWitnessAndTheExportVerifiesOffline(TestDatabase db, @TempDir Path dir) throws Exception {
    Path witnessFile = dir.resolve("witness.jsonl");
    try (FileCheckpointWitness witness = new FileCheckpointWitness(witnessFile);
        JdbcAuditStore store = JdbcAuditStore.builder(db.dataSource()).sealInterval(null).checkpointSigner(SIGNER)
            .checkpointPolicy(CheckpointPolicy.of(5, Duration.ofHours(1))).witness(witness).build()) {
      for (int i = 0; i < 12; i++) {
        store.write(List.of(SealingTest.event("org-1", i)));
        store.sealNow();
      }
      List<Checkpoint> published = FileCheckpointWitness.read(witnessFile, CHAIN);
      try (Stream<Checkpoint> stored = store.chain(CHAIN).checkpoints()) {
        assertThat(published).isEqualTo(stored.toList()).extracting(Checkpoint::sequence).containsExactly(1L, 6L, 11L);
      }
      Path export = dir.resolve("chain.jsonl");
      try (OutputStream out = Files.newOutputStream(export)) {
        store.exportChain(CHAIN, out);
      }
      ChainVerification offline = ChainExportReader.open(export).verify(ChainVerifier.builder(SIGNER.keys()).build());
      assertThat(offline.ok()).as(offline.summary()).isTrue();
      assertThat(offline.eventsChecked()).isEqualTo(12);
      // the store signed the head it exported (#12 had no stored checkpoint), so the strict check passes
      assertThat(offline.checkpointsChecked()).isEqualTo(4);
      ChainVerification strict = ChainExportReader.open(export)
          .verify(ChainVerifier.builder(SIGNER.keys()).requireSignedHead(true).build());
      assertThat(strict.ok()).as(strict.summary()).isTrue();
      try (Stream<Checkpoint> stored = store.chain(CHAIN).checkpoints()) {
        assertThat(stored).as("the signed head is not stored").extracting(Checkpoint::sequence).containsExactly(1L, 6L, 11L);
      }

      // a modified export is caught offline too
      List<String> lines = new ArrayList<>(Files.readAllLines(export));
      int i = 0;
      while (!lines.get(i).contains("job-4\"")) {
        i++;
      }
      lines.set(i, lines.get(i).replace("job-4\"", "job-40\""));
      Files.write(export, lines);
      ChainVerification tampered = ChainExportReader.open(export).verify(ChainVerifier.builder(SIGNER.keys()).build());
      assertTampered(tampered, TamperKind.MODIFIED, 5);
    }
  }

  private static String timestamp(TestDatabase db, AuditEvent e) {
    String t = e.occurredAt().toString();
    return db.dialect() == TestDialect.POSTGRESQL ? "'" + t + "'::timestamptz" : "timestamp with time zone '" + t.replace("T", " ").replace("Z", "+00") + "'";
  }
}

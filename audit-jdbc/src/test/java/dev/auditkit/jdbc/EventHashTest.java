package dev.auditkit.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.auditkit.core.AuditEvent;
import dev.auditkit.core.FieldChange;
import dev.auditkit.core.RequestInfo;
import dev.auditkit.core.chain.CanonicalEncoding;
import dev.auditkit.core.chain.ChainVerification;
import dev.auditkit.core.chain.TamperKind;
import dev.auditkit.core.internal.EventJson;
import dev.auditkit.core.internal.Json;
import dev.auditkit.jdbc.internal.EventRow;
import dev.auditkit.testing.DatabaseTest;
import dev.auditkit.testing.TestDatabase;
import dev.auditkit.testing.TestDialect;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The writer stores each event's hash ({@code SHA-256} of its canonical encoding) so that the
 * sealer never reads events back. That is only sound if the hash of the event as written equals
 * the hash of the event as stored and read back, for every kind of value; and verify must never
 * trust the stored hash.
 */
class EventHashTest {

  /** Events with values that databases like to normalise: numbers, unicode, IPs, big and empty JSON. */
  static List<AuditEvent> trickyEvents() throws Exception {
    List<AuditEvent> out = new ArrayList<>();
    JsonNode vectors = Json.MAPPER.readTree(Files.readString(Path.of("..", "docs", "examples", "canonical-vectors.json")));
    for (JsonNode v : vectors.get("vectors")) {
      out.add(EventJson.fromJson(v.get("event")));
    }
    // PostgreSQL prints some of these in other forms than auditkit writes them (::102:304 as ::1.2.3.4)
    String[] ips = {"2001:DB8:0:0:0:0:0:1", "::ffff:192.0.2.1", "203.0.113.9", "::1", "fe80:0:0:0:0:0:0:abcd",
        "::102:304", "::2", "::ffff", "::", "0:0:0:0:0:1:0:0", "::ffff:0:0"};
    for (int i = 0; i < ips.length; i++) {
      out.add(AuditEvent.builder()
          .tenantId("org-ip")
          .occurredAt(Instant.parse("2019-06-30T23:59:59.999999Z").plusSeconds(i))
          .action("login")
          .resource("session", "s-" + i)
          .request(RequestInfo.builder().ip(ips[i]).method("POST").path("/login?next=%2F").userAgent("curl/8 \u2028").build())
          .build());
    }
    Map<String, Object> numbers = new HashMap<>();
    numbers.put("nan", Double.NaN);
    numbers.put("inf", Double.NEGATIVE_INFINITY);
    numbers.put("tenth", 0.1);
    numbers.put("float", 3.4028235e38f);
    numbers.put("min", Long.MIN_VALUE);
    numbers.put("big", new BigDecimal("1E+400"));
    numbers.put("tiny", new BigDecimal("-1.000E-300"));
    numbers.put("negZero", -0.0);
    out.add(AuditEvent.builder()
        .tenantId("org-n")
        .occurredAt(Instant.parse("2026-02-28T12:00:00.000001Z"))
        .action("numbers")
        .resource("n", "1")
        .metadata(numbers)
        .changes(List.of(FieldChange.of("price", Json.MAPPER.valueToTree(new BigDecimal("42.50")),
            Json.MAPPER.valueToTree(42.5))))
        .build());
    out.add(AuditEvent.builder()
        .tenantId("m\u00fcller-\u6771\u4eac \uD83D\uDE00")
        .occurredAt(Instant.parse("2026-12-31T23:59:59.999999Z"))
        .action("doc.updated")
        .resource("doc", "\u00e9")
        .metadata("big", "\uD83D\uDE00 \u0001 tab\t".repeat(64 * 1024 / 10))
        .metadata("nested", Map.of("list", List.of(List.of(), Map.of(), "", Map.of("z", 1, "a", List.of(true, false)))))
        .newValue(Json.MAPPER.readTree("[1, \"two\", {\"c\": 3, \"b\": []}, null]"))
        .build());
    // COPY's text format escapes backslash, tab, CR and LF; \N and \. mean NULL and end of data there
    out.add(AuditEvent.builder()
        .tenantId("org-copy")
        .occurredAt(Instant.parse("2026-03-01T08:00:00Z"))
        .action("file.moved")
        .resource(dev.auditkit.core.Resource.of("file", "C:\\dir\\N").label("\\N\nline\ttab\r\n\\.\n\\\\ end\\"))
        .fromState("\\N").toState("\\.")
        .request(RequestInfo.builder().userAgent("agent \\ back\\slash\\").path("/a\\b").build())
        .metadata(Map.of("\\N", "\\.", "lines", "a\nb\r\nc\td\\e"))
        .build());
    // far from the epoch, where epoch microseconds in floating point would be off by one
    out.add(AuditEvent.builder().tenantId("org-t").occurredAt(Instant.parse("1800-01-01T00:00:00.000001Z"))
        .action("old").resource("r", "1").build());
    out.add(AuditEvent.builder().tenantId("org-t").occurredAt(Instant.parse("2200-12-31T23:59:59.999999Z"))
        .action("future").resource("r", "2").build());
    return out;
  }

  @DatabaseTest
  void theWritersHashIsTheHashOfTheStoredEvent_onEveryWritePath(TestDatabase db) throws Exception {
    List<AuditEvent> tricky = trickyEvents();
    try (JdbcAuditStore store = SealingTest.manualStore(db)) {
      List<AuditEvent> copied = new ArrayList<>(tricky);
      for (int i = 0; copied.size() < dev.auditkit.jdbc.internal.PgWriter.COPY_MIN_ROWS; i++) {
        copied.add(SealingTest.event("org-pad", i));
      }
      store.write(copied); // COPY on PostgreSQL
      List<AuditEvent> again = tricky.stream().map(e -> e.toBuilder().id(UUID.randomUUID()).build()).toList();
      store.write(again.subList(0, 3)); // multi-row INSERT
      try (Connection c = db.connection()) {
        c.setAutoCommit(false);
        store.append(c, again.subList(3, again.size())); // the host's transaction
        c.commit();
      }
      int checked = 0;
      try (Connection c = db.connection(); Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("select id, event_hash from " + store.eventTable())) {
        while (rs.next()) {
          UUID id = rs.getObject(1, UUID.class);
          AuditEvent stored = store.findById(id).orElseThrow();
          assertThat(rs.getBytes(2)).as("event hash of %s", id).isNotNull()
              .isEqualTo(CanonicalEncoding.sha256(stored));
          checked++;
        }
      }
      assertThat(checked).isEqualTo(copied.size() + again.size());
      store.sealNow(Duration.ofSeconds(30));
      assertThat(store.verifyAll()).allSatisfy(v -> assertThat(v.ok()).as(v.summary()).isTrue());
      Chains.assertValid(db);
      // and offline: every line of an export is exactly the event it rebuilds to
      for (String chain : store.chainIds()) {
        java.nio.file.Path export = java.nio.file.Files.createTempFile("chain", ".jsonl");
        try {
          try (java.io.OutputStream out = java.nio.file.Files.newOutputStream(export)) {
            store.exportChain(chain, out);
          }
          dev.auditkit.core.chain.ChainVerification offline = dev.auditkit.core.chain.ChainExportReader.open(export)
              .verify(dev.auditkit.core.chain.ChainVerifier.builder(store.checkpointKeys()).build());
          assertThat(offline.ok()).as(chain + " offline: " + offline.summary()).isTrue();
        } finally {
          java.nio.file.Files.deleteIfExists(export);
        }
      }
    }
  }

  @DatabaseTest
  void anEventChangedBetweenWriteAndSeal_isSealedByItsWrittenHashAndReportedModified(TestDatabase db) throws Exception {
    try (JdbcAuditStore store = SealingTest.manualStore(db)) {
      List<AuditEvent> events = List.of(SealingTest.event("org-1", 1), SealingTest.event("org-1", 2),
          SealingTest.event("org-1", 3));
      store.write(events);
      try (Connection c = privileged(db); PreparedStatement ps = c.prepareStatement(
          "update audit_event set actor_id = 'mallory' where id = ?")) {
        ps.setObject(1, events.get(1).id());
        assertThat(ps.executeUpdate()).isEqualTo(1);
      }
      assertThat(store.sealNow(Duration.ofSeconds(30))).isEqualTo(3);
      ChainVerification v = store.verify("t:org-1");
      assertThat(v.kind()).as(v.summary()).contains(TamperKind.MODIFIED);
      assertThat(v.position()).isEqualTo(2);
      assertThat(v.eventId()).contains(events.get(1).id());
    }
  }

  @DatabaseTest
  void rowsWithoutAUsableHash_areHashedFromTheStoredEvent_andAForgedHashIsNeverTrusted(TestDatabase db) throws Exception {
    try (JdbcAuditStore store = SealingTest.manualStore(db)) {
      AuditEvent model = SealingTest.event("org-1", 1);
      store.write(List.of(model));
      UUID noHash = UUID.randomUUID();
      UUID shortHash = UUID.randomUUID();
      UUID forged = UUID.randomUUID();
      String cols = String.join(", ", EventRow.COLUMNS.subList(1, EventRow.COLUMNS.size()));
      try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement("insert into audit_event (id, "
          + cols + ", event_hash) select ?, " + cols + ", ? from audit_event where id = ?")) {
        ps.setObject(1, noHash);
        ps.setBytes(2, null);
        ps.setObject(3, model.id());
        assertThat(ps.executeUpdate()).as("a row as an older auditkit or another tool writes it").isEqualTo(1);
        ps.setObject(1, shortHash);
        ps.setBytes(2, new byte[31]);
        ps.setObject(3, model.id());
        assertThat(ps.executeUpdate()).as("a row whose hash is not 32 bytes").isEqualTo(1);
        ps.setObject(1, forged);
        ps.setBytes(2, new byte[32]);
        ps.setObject(3, model.id());
        assertThat(ps.executeUpdate()).as("a row with a made-up hash").isEqualTo(1);
      }
      assertThat(store.sealNow(Duration.ofSeconds(30))).isEqualTo(4);
      ChainVerification v = store.verify("t:org-1");
      assertThat(v.kind()).as(v.summary()).contains(TamperKind.MODIFIED);
      assertThat(v.eventId()).as("the rows without a usable hash verified; the forged one did not").contains(forged);
      assertThat(v.position()).isEqualTo(4);
    }
  }

  /** A connection that can change events behind the store's back (triggers off). */
  /**
   * Rows without a stored hash (written before schema V3, or by another tool) are read back and
   * hashed exactly by the sealer: the awkward events, every address form among them, are all
   * sealed (none quarantined) and verify.
   */
  @DatabaseTest
  void rowsWithoutAHash_areReadBackExactly_andAllSealed(TestDatabase db) throws Exception {
    List<AuditEvent> tricky = trickyEvents();
    try (JdbcAuditStore store = SealingTest.manualStore(db)) {
      store.write(tricky);
      try (Connection c = privileged(db); Statement s = c.createStatement()) {
        assertThat(s.executeUpdate("update audit_event set event_hash = null")).isEqualTo(tricky.size());
      }
      assertThat(store.sealNow(Duration.ofSeconds(30))).isEqualTo(tricky.size());
      assertThat(store.verifyAll()).allSatisfy(v -> assertThat(v.ok()).as(v.summary()).isTrue());
      Chains.assertValid(db);
    }
  }

  static Connection privileged(TestDatabase db) throws Exception {
    Connection c = db.connection();
    try (Statement s = c.createStatement()) {
      if (db.dialect() == TestDialect.POSTGRESQL) {
        s.execute("set session_replication_role = replica");
      } else {
        s.execute("drop trigger if exists audit_event_no_update");
      }
    }
    return c;
  }
}

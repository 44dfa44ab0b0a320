package dev.auditkit.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.auditkit.core.internal.EventJson;
import dev.auditkit.core.internal.Json;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** AuditLog.created/updated/deleted go through the ChangeDiffer, and every event through the RedactionPolicy. */
class AuditLogDiffRedactionTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Captures exactly what a sink is handed, serialised, so a test can search it for secrets. */
  private final List<String> seen = Collections.synchronizedList(new ArrayList<>());
  private final InMemoryAuditStore store = new InMemoryAuditStore();
  private final AuditSink capturing = events -> {
    events.forEach(e -> seen.add(EventJson.toJson(e).toString()));
    store.write(events);
  };
  private final AuditLog audit = AuditLog.builder().store(capturing).build();

  public record User(String name, String password, Address address, Instant updatedAt) {}

  public record Address(String city, String apiKey) {}

  private AuditEvent only() {
    assertThat(store.events()).hasSize(1);
    return store.events().get(0);
  }

  private void assertNoSinkSaw(String... secrets) {
    assertThat(seen).isNotEmpty();
    for (String s : seen) {
      for (String secret : secrets) {
        assertThat(s).doesNotContain(secret);
      }
    }
  }

  @Test
  void updated_passwordChange_isRecordedAsChanged_withBothValuesRedacted() {
    audit.updated("User", "u-1", new User("ann", "hunter2", new Address("Orlando", "k-1"), Instant.EPOCH),
        new User("ann", "correct-horse", new Address("Tampa", "k-2"), Instant.EPOCH));
    AuditEvent e = only();
    assertThat(e.changes()).extracting(FieldChange::path).containsExactly("address.apiKey", "address.city", "password");
    FieldChange pw = e.changes().get(2);
    assertThat(pw.from().asText()).isEqualTo(RedactionPolicy.REDACTED);
    assertThat(pw.to().asText()).isEqualTo(RedactionPolicy.REDACTED);
    assertThat(e.changes().get(0).to().asText()).isEqualTo(RedactionPolicy.REDACTED);
    assertThat(e.changes().get(1).to().asText()).isEqualTo("Tampa");
    assertThat(e.oldValue()).as("updates carry changes only").isNull();
    assertNoSinkSaw("hunter2", "correct-horse", "k-1", "k-2");
  }

  @Test
  void created_listsEveryInitialValueFromNull_andTheRedactedSnapshot() {
    audit.created("User", "u-1", new User("ann", "hunter2", new Address("Orlando", "k-1"), Instant.parse("2026-01-01T00:00:00Z")));
    AuditEvent e = only();
    assertThat(e.changes()).extracting(FieldChange::path).containsExactly("address", "name", "password", "updatedAt");
    assertThat(e.changes()).allSatisfy(c -> assertThat(c.from().isNull()).isTrue());
    assertThat(e.changes().get(0).to().get("apiKey").asText()).isEqualTo(RedactionPolicy.REDACTED);
    assertThat(e.newValue().get("password").asText()).isEqualTo(RedactionPolicy.REDACTED);
    assertThat(e.newValue().get("updatedAt").asText()).isEqualTo("2026-01-01T00:00:00Z");
    assertThat(e.newValue().at("/address/city").asText()).isEqualTo("Orlando");
    assertNoSinkSaw("hunter2", "k-1");
  }

  @Test
  void deleted_recordsTheFullRedactedSnapshot_withoutChanges() {
    audit.deleted("User", "u-1", new User("ann", "hunter2", new Address("Orlando", "k-1"), Instant.EPOCH));
    AuditEvent e = only();
    assertThat(e.changes()).isEmpty();
    assertThat(e.oldValue().get("name").asText()).isEqualTo("ann");
    assertThat(e.oldValue().get("password").asText()).isEqualTo(RedactionPolicy.REDACTED);
    assertThat(e.oldValue().at("/address/city").asText()).isEqualTo("Orlando");
    assertNoSinkSaw("hunter2", "k-1");
  }

  @Test
  void theConfiguredDifferIsUsed_rulesPerTypeAndIdentityKeys() {
    ChangeDiffer differ = ChangeDiffer.builder()
        .rules(DiffRules.builder().ignore("**.updatedAt").build())
        .rules("Order", DiffRules.builder().identityKey("items", "id").mask("gateCode").build())
        .build();
    AuditLog log = AuditLog.builder().store(store).differ(differ).build();
    log.updated("Order", "o-1",
        Map.of("updatedAt", 1, "gateCode", "1234", "items", List.of(Map.of("id", 7, "qty", 1), Map.of("id", 8, "qty", 1))),
        Map.of("updatedAt", 2, "gateCode", "9876", "items", List.of(Map.of("id", 8, "qty", 1), Map.of("id", 7, "qty", 2))));
    AuditEvent e = only();
    assertThat(e.changes()).extracting(FieldChange::toString)
        .containsExactly("gateCode: \"[REDACTED]\" -> \"[REDACTED]\"", "items[id=7].qty: 1 -> 2");
    log.created("Order", "o-2", Map.of("gateCode", "1234", "updatedAt", 3));
    AuditEvent created = store.events().get(1);
    assertThat(created.newValue().toString()).isEqualTo("{\"gateCode\":\"[REDACTED]\"}");
  }

  @Test
  void updated_withNothingChanged_orOnlyIgnoredFields_isStillRecordedWithNoChanges() {
    AuditLog log = AuditLog.builder().store(store)
        .differ(ChangeDiffer.builder().rules(DiffRules.builder().ignore("version").build()).build()).build();
    log.updated("Doc", "1", Map.of("a", 1, "version", 1), Map.of("a", 1.0, "version", 2));
    assertThat(only().changes()).isEmpty();
    assertThat(only().action()).isEqualTo(AuditLog.ACTION_UPDATED);
  }

  @Test
  void metadata_contextMetadata_andRequestQueryStrings_areRedacted() throws Exception {
    AuditContext ctx = AuditContext.builder().tenantId("t").path("/api/reset?token=tok-123&lang=en")
        .metadata("session", Map.of("cookie", "sid=abc")).build();
    AuditContext.runWithAuditContext(ctx, () -> audit.logAction("reset", "user", "u-1",
        Map.of("note", "card 4111 1111 1111 1111", "headers", List.of(Map.of("Authorization", "Bearer xyz")))));
    AuditEvent e = only();
    assertThat(e.request().path()).isEqualTo("/api/reset?token=[REDACTED]&lang=en");
    assertThat(e.metadata().get("note").asText()).isEqualTo("card **** **** **** 1111");
    assertThat(e.metadata().at("/headers/0/Authorization").asText()).isEqualTo(RedactionPolicy.REDACTED);
    assertThat(e.metadata().at("/session/cookie").asText()).isEqualTo(RedactionPolicy.REDACTED);
    assertNoSinkSaw("tok-123", "sid=abc", "Bearer xyz", "4111 1111 1111 1111");
  }

  @Test
  void appendAuditLog_explicitSnapshotsAndChanges_areRedactedToo() {
    audit.appendAuditLog(AuditEvent.builder().action("ADMIN_SETTINGS_UPDATED").resource("Settings", "s")
        .oldValue(Map.of("smtp", Map.of("password", "p1"))).newValue(Map.of("smtp", Map.of("password", "p2")))
        .addChange(FieldChange.of("smtp.password", JSON.valueToTree("p1"), JSON.valueToTree("p2")))
        .addChange(FieldChange.of("secret.value", JSON.valueToTree("s1"), JSON.getNodeFactory().nullNode()))
        .addChange(FieldChange.of("notes", JSON.valueToTree("paid 5555555555554444"), JSON.valueToTree(Map.of("pwd", "p3")))));
    AuditEvent e = only();
    assertThat(e.oldValue().at("/smtp/password").asText()).isEqualTo(RedactionPolicy.REDACTED);
    assertThat(e.changes()).extracting(FieldChange::toString).containsExactly(
        "notes: \"paid ************4444\" -> {\"pwd\":\"[REDACTED]\"}",
        "secret: \"[REDACTED]\" -> null", // (cut after the sensitive name: what follows may be a secret)
        "smtp.password: \"[REDACTED]\" -> \"[REDACTED]\"");
    assertNoSinkSaw("p1", "p2", "p3", "s1", "5555555555554444");
  }

  @Test
  void redaction_runsBeforeHashing_theOversizeMarkerHashesTheRedactedValue() {
    AuditLog small = AuditLog.builder().store(store).limits(AuditLimits.builder().snapshotBytes(256).build()).build();
    ObjectNode big = JSON.createObjectNode().put("password", "hunter2").put("blob", "x".repeat(1000));
    small.deleted("Doc", "1", big);
    JsonNode marker = only().oldValue();
    assertThat(marker.has(Json.OVERSIZE_KEY)).isTrue();
    ObjectNode redacted = big.deepCopy().put("password", RedactionPolicy.REDACTED);
    assertThat(marker.get("sha256").asText()).isEqualTo(Json.sha256Hex(Json.bytes(redacted)))
        .isNotEqualTo(Json.sha256Hex(Json.bytes(big)));
  }

  @Test
  void hostPolicy_replacesTheDefault() {
    AuditLog none = AuditLog.builder().store(store).redaction(RedactionPolicy.none()).build();
    none.logAction("x", "r", "1", Map.of("password", "visible"));
    assertThat(only().metadata().get("password").asText()).isEqualTo("visible");
    AuditLog custom = AuditLog.builder().store(store).redaction(RedactionPolicy.defaults().maskKeys("gateCode")).build();
    custom.logAction("x", "r", "2", Map.of("gate_code", "4321"));
    assertThat(store.events().get(1).metadata().get("gate_code").asText()).isEqualTo(RedactionPolicy.REDACTED);
  }

  @Test
  void property_noPlantedSecretReachesTheSink() {
    Random r = new Random(2026L);
    for (int i = 0; i < 200; i++) {
      List<String> planted = new ArrayList<>();
      Object before = plantInMap(ChangeDifferPropertyTest.map(r, 1), r, planted);
      Object after = plantInMap(ChangeDifferPropertyTest.map(r, 1), r, planted);
      switch (i % 4) {
        case 0 -> audit.updated("Doc", "d" + i, before, after);
        case 1 -> audit.created("Doc", "d" + i, after);
        case 2 -> audit.deleted("Doc", "d" + i, before);
        default -> audit.logAction("act", "Doc", "d" + i, after);
      }
      for (String s : seen) {
        for (String secret : planted) {
          assertThat(s).as("case %d", i).doesNotContain(secret);
        }
      }
    }
    assertThat(seen).hasSize(200);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> plantInMap(Map<String, Object> m, Random r, List<String> planted) {
    for (Map.Entry<String, Object> e : m.entrySet()) {
      if (e.getValue() instanceof Map<?, ?> inner) {
        e.setValue(plantInMap(new java.util.LinkedHashMap<>((Map<String, Object>) inner), r, planted));
      }
    }
    String secret = "S3CR3T" + planted.size() + "x" + r.nextInt(1000);
    planted.add(secret);
    m.put(RedactionPolicyTest.variant(RedactionPolicyTest.DEFAULT_KEYS[r.nextInt(RedactionPolicyTest.DEFAULT_KEYS.length)], r),
        r.nextBoolean() ? secret : List.of(Map.of("v", secret)));
    return m;
  }

  public static final class Broken {
    public String getName() {
      throw new IllegalStateException("detached entity");
    }
  }

  @Test
  void badInput_failsNamingTheSide_andWritesNothing() {
    assertThatThrownBy(() -> audit.updated("User", "1", Map.of("name", "a"), new Broken()))
        .isInstanceOfSatisfying(InvalidAuditEventException.class, e -> assertThat(e.field()).isEqualTo("after.name"))
        .hasMessageContaining("detached entity");
    assertThatThrownBy(() -> audit.deleted("User", "1", new Broken()))
        .isInstanceOfSatisfying(InvalidAuditEventException.class, e -> assertThat(e.field()).isEqualTo("before.name"));
    assertThatThrownBy(() -> audit.created(" ", "1", Map.of()))
        .isInstanceOfSatisfying(InvalidAuditEventException.class, e -> assertThat(e.field()).isEqualTo("resource.type"));
    assertThatThrownBy(() -> AuditLog.builder().redaction(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> AuditLog.builder().differ(null)).isInstanceOf(NullPointerException.class);
    assertThat(store.events()).isEmpty();
  }

  // ---------------------------------------------------------------- prepare: events the host writes itself

  @Test
  void prepare_buildsTheEventAsAppendWould_contextSourceAndRedaction_withoutDeliveringIt() {
    AuditLog log = AuditLog.builder().store(capturing).source("portal", "4.2.0", "web-1")
        .redaction(RedactionPolicy.defaults().maskKeys("gateCode")).build();
    AuditContext ctx = AuditContext.builder().tenantId("org-17").actor(Actor.user("u-42").role("admin"))
        .ipAddress("203.0.113.9").requestId("req-1").metadata("channel", "web").build();
    User before = new User("ann", "hunter2", new Address("Orlando", "k-1"), Instant.EPOCH);
    User after = new User("ann", "correct-horse", new Address("Tampa", "k-1"), Instant.EPOCH);
    AuditEvent.Builder b = AuditEvent.builder().action(AuditLog.ACTION_UPDATED).kind(EventKind.UPDATE)
        .resource("User", "u-1").changes(log.differ().diff("User", before, after))
        .metadata(Map.of("gateCode", "4711", "note", "card 4111 1111 1111 1111"));
    AuditEvent e = AuditContext.supplyWithAuditContext(ctx, () -> log.prepare(b));

    assertThat(store.events()).as("prepare delivers nothing").isEmpty();
    assertThat(seen).isEmpty();
    assertThat(e.tenantId()).isEqualTo("org-17");
    assertThat(e.actor().id()).isEqualTo("u-42");
    assertThat(e.request().ip()).isEqualTo("203.0.113.9");
    assertThat(e.request().requestId()).isEqualTo("req-1");
    assertThat(e.metadata().get("channel").asText()).isEqualTo("web");
    assertThat(e.source().app()).isEqualTo("portal");
    assertThat(e.changes()).extracting(FieldChange::path).containsExactly("address.city", "password");
    assertThat(e.changes().get(1).from().asText()).isEqualTo(RedactionPolicy.REDACTED);
    assertThat(e.changes().get(1).to().asText()).isEqualTo(RedactionPolicy.REDACTED);
    assertThat(e.metadata().get("gateCode").asText()).isEqualTo(RedactionPolicy.REDACTED);
    assertThat(e.metadata().get("note").asText()).doesNotContain("4111 1111 1111 1111").endsWith("1111");
    String json = EventJson.toJson(e).toString();
    assertThat(json).doesNotContain("hunter2", "correct-horse", "4711");

    // the caller's builder is untouched, and each prepare is a new event (a new id)
    assertThat(b.build().metadata().get("gateCode").asText()).isEqualTo("4711");
    assertThat(log.prepare(b).id()).isNotEqualTo(e.id());
    // what prepare made is recorded unchanged when the host delivers it through the log after all
    log.appendAuditLog(e);
    assertThat(only()).isEqualTo(e);
  }

  @Test
  void prepare_refusesWhatAppendRefuses_andRecordsNothing() {
    assertThatThrownBy(() -> audit.prepare((AuditEvent.Builder) null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> audit.prepare(AuditEvent.builder().resource("Job", "j-1")))
        .isInstanceOfSatisfying(InvalidAuditEventException.class, ex -> assertThat(ex.field()).isEqualTo("action"));
    assertThatThrownBy(() -> audit.prepare(AuditEvent.builder().action("bad action\0").resource("Job", "j-1")))
        .isInstanceOfSatisfying(InvalidAuditEventException.class, ex -> assertThat(ex.field()).isEqualTo("action"));
    assertThatThrownBy(() -> audit.prepare(AuditEvent.builder().action("viewed").resource(" ", "j-1")))
        .isInstanceOf(InvalidAuditEventException.class);
    // untrusted values are cleaned, not refused: NUL and control characters go, long ones are cut
    AuditEvent e = audit.prepare(AuditEvent.builder().action("viewed").resource("Job", "j-\u0000\u0007" + "x".repeat(5000))
        .request(RequestInfo.builder().ip("999.1.1.1").userAgent("curl\u0000/8").build()));
    assertThat(e.resource().id()).doesNotContain("\u0000", "\u0007").endsWith("[truncated]");
    assertThat(e.request().ip()).isNull();
    assertThat(e.request().userAgent()).isEqualTo("curl/8");
    assertThat(store.events()).isEmpty();
  }

  @Test
  void prepare_ofABuiltEvent_fillsAndRedactsIt_andAClosedLogPreparesNothing() {
    AuditEvent built = AuditEvent.builder().action("login").resource("user", "u-1")
        .metadata(Map.of("password", "hunter2")).build();
    AuditEvent prepared = AuditContext.supplyWithAuditContext(AuditContext.builder().tenantId("org-9").build(),
        () -> audit.prepare(built));
    assertThat(prepared.id()).as("its own id is kept").isEqualTo(built.id());
    assertThat(prepared.tenantId()).isEqualTo("org-9");
    assertThat(prepared.metadata().get("password").asText()).isEqualTo(RedactionPolicy.REDACTED);
    assertThat(store.events()).isEmpty();
    audit.close();
    assertThatThrownBy(() -> audit.prepare(AuditEvent.builder().action("x").resource("r", "1")))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    assertThatThrownBy(() -> audit.prepare(built)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> audit.prepare((AuditEvent) null)).isInstanceOf(NullPointerException.class);
  }
}

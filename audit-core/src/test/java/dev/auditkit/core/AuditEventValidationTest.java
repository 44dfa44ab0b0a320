package dev.auditkit.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class AuditEventValidationTest {
  private static final String MARKER = AuditLimits.TRUNCATION_MARKER;

  private static AuditEvent.Builder valid() {
    return AuditEvent.builder().action("invoice.paid").resource("invoice", "inv-1");
  }

  // ---- required fields fail fast and name the field ----

  @Test
  void missingAction_failsNamingTheField() {
    assertThatThrownBy(() -> AuditEvent.builder().resource("invoice", "1").build())
        .isInstanceOfSatisfying(InvalidAuditEventException.class, e -> assertThat(e.field()).isEqualTo("action"))
        .hasMessageStartingWith("action:");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", "\t\n"})
  void blankAction_failsNamingTheField(String action) {
    assertThatThrownBy(() -> valid().action(action).build())
        .isInstanceOfSatisfying(InvalidAuditEventException.class, e -> assertThat(e.field()).isEqualTo("action"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"update invoice", "_leading", "drop;table", "a\u0000b", "caf\u00e9", "x\ny", "emoji\uD83D\uDE00", "-x"})
  void actionOutsideCharset_fails(String action) {
    assertThatThrownBy(() -> valid().action(action).build())
        .isInstanceOf(InvalidAuditEventException.class)
        .hasMessageStartingWith("action:")
        .hasMessageNotContaining("\u0000");
  }

  @ParameterizedTest
  @ValueSource(strings = {"update_invoice", "ADMIN_TRIP_LAYOUT_UPDATED", "job.approved", "gate:code:revealed", "api/v1-call", "9lives"})
  void actionsInCharset_areAccepted(String action) {
    assertThat(valid().action(action).build().action()).isEqualTo(action);
  }

  @Test
  void overlongAction_isRejectedNotCut() {
    assertThat(valid().action("a".repeat(128)).build().action()).hasSize(128);
    assertThatThrownBy(() -> valid().action("a".repeat(129)).build())
        .isInstanceOf(InvalidAuditEventException.class).hasMessageContaining("at most 128");
  }

  @Test
  void missingResource_failsNamingResourceType() {
    assertThatThrownBy(() -> AuditEvent.builder().action("x").build())
        .isInstanceOfSatisfying(InvalidAuditEventException.class, e -> assertThat(e.field()).isEqualTo("resource.type"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "   "})
  void blankResourceType_failsNamingTheField(String type) {
    assertThatThrownBy(() -> valid().resource(type, "1"))
        .isInstanceOfSatisfying(InvalidAuditEventException.class, e -> assertThat(e.field()).isEqualTo("resource.type"));
    assertThatThrownBy(() -> Resource.of(null))
        .isInstanceOfSatisfying(InvalidAuditEventException.class, e -> assertThat(e.field()).isEqualTo("resource.type"));
  }

  @Test
  void resourceTypeMadeOfControlCharacters_isBlankAfterSanitising_andFails() {
    assertThatThrownBy(() -> valid().resource("\u0000\u0007", "1").build())
        .isInstanceOfSatisfying(InvalidAuditEventException.class, e -> assertThat(e.field()).isEqualTo("resource.type"));
  }

  @Test
  void blankActorId_failsNamingTheField() {
    assertThatThrownBy(() -> Actor.user(" "))
        .isInstanceOfSatisfying(InvalidAuditEventException.class, e -> assertThat(e.field()).isEqualTo("actor.id"));
    assertThatThrownBy(() -> Actor.service(null))
        .isInstanceOfSatisfying(InvalidAuditEventException.class, e -> assertThat(e.field()).isEqualTo("actor.id"));
  }

  // ---- defaults, ids and time ----

  @Test
  void defaults_areFilled() {
    AuditEvent e = valid().build();
    assertThat(e.id().version()).isEqualTo(7);
    assertThat(e.actor()).isEqualTo(Actor.anonymous());
    assertThat(e.kind()).isEqualTo(EventKind.OTHER);
    assertThat(e.outcome()).isEqualTo(Outcome.SUCCESS);
    assertThat(e.metadata().isEmpty()).isTrue();
    assertThat(e.changes()).isEmpty();
    assertThat(e.request().isEmpty()).isTrue();
    assertThat(e.seal()).isEmpty();
  }

  @Test
  void occurredAt_isTruncatedToMicroseconds() {
    Instant withNanos = Instant.parse("2026-11-22T10:15:30.123456789Z");
    assertThat(valid().occurredAt(withNanos).build().occurredAt()).isEqualTo(Instant.parse("2026-11-22T10:15:30.123456Z"));
    AuditLog log = AuditLog.builder().store(new InMemoryAuditStore())
        .clock(Clock.fixed(withNanos, ZoneOffset.ofHours(5))).build();
    InMemoryAuditStore store = new InMemoryAuditStore();
    log = AuditLog.builder().store(store).clock(Clock.fixed(withNanos, ZoneOffset.ofHours(5))).build();
    log.viewed("invoice", "1");
    assertThat(store.events().get(0).occurredAt()).isEqualTo(Instant.parse("2026-11-22T10:15:30.123456Z"));
  }

  @Test
  void occurredAt_outsideTheYears0001To9999_isRefusedWithTheFieldNamed() {
    for (String bad : List.of("+10000-01-01T00:00:00Z", "0000-12-31T23:59:59.999999Z", "-1000000-01-01T00:00:00Z")) {
      assertThatThrownBy(() -> valid().occurredAt(Instant.parse(bad)).build()).as(bad)
          .isInstanceOfSatisfying(InvalidAuditEventException.class, e -> assertThat(e.field()).isEqualTo("occurredAt"))
          .hasMessageContaining("0001-9999");
    }
    assertThat(valid().occurredAt(Instant.parse("0001-01-01T00:00:00Z")).build().occurredAt().toString())
        .isEqualTo("0001-01-01T00:00:00Z");
    assertThat(valid().occurredAt(Instant.parse("9999-12-31T23:59:59.999999999Z")).build().occurredAt())
        .isEqualTo(Instant.parse("9999-12-31T23:59:59.999999Z"));
  }

  @Test
  void explicitId_isKept() {
    var id = java.util.UUID.fromString("0190f3a2-7b1c-7def-8123-456789abcdef");
    assertThat(valid().id(id).build().id()).isEqualTo(id);
  }

  // ---- single-line strings lose control characters ----

  @Test
  void controlAndNulCharacters_areRemovedFromSingleLineFields() {
    AuditEvent e = valid()
        .tenantId("org\u0000-1")
        .actor(Actor.user("u\r\n-42").role("ad\u001bmin").email("a@x.io\u0007").org("o\u007fr\u0085g")
            .extraId("worker\tId", "w\u0000-7"))
        .resource(Resource.of("inv\u0000oice", "inv\n-1").label("Invoice\u2028 #1"))
        .fromState("SCHED\u0000ULED").toState("DONE\u202e")
        .request(RequestInfo.builder().userAgent("Mozilla\r\nX-Injected: 1").method("GE\u0000T")
            .path("/api/\u0000x").requestId("r\u0000-1").build())
        .build();
    assertThat(e.tenantId()).isEqualTo("org-1");
    assertThat(e.actor().id()).isEqualTo("u-42");
    assertThat(e.actor().role()).isEqualTo("admin");
    assertThat(e.actor().email()).isEqualTo("a@x.io");
    assertThat(e.actor().org()).isEqualTo("org");
    assertThat(e.actor().extraIds()).containsExactly(Map.entry("workerId", "w-7"));
    assertThat(e.resource().type()).isEqualTo("invoice");
    assertThat(e.resource().id()).isEqualTo("inv-1");
    assertThat(e.resource().label()).isEqualTo("Invoice #1");
    assertThat(e.fromState()).isEqualTo("SCHEDULED");
    assertThat(e.toState()).isEqualTo("DONE");
    assertThat(e.request().userAgent()).isEqualTo("MozillaX-Injected: 1");
    assertThat(e.request().method()).isEqualTo("GET");
    assertThat(e.request().path()).isEqualTo("/api/x");
    assertThat(e.request().requestId()).isEqualTo("r-1");
  }

  @Test
  void loneSurrogates_areReplaced_validPairsKept() {
    AuditEvent e = valid().resource(Resource.of("doc", "a\uD800b").label("ok \uD83D\uDE00")).build();
    assertThat(e.resource().id()).isEqualTo("a\uFFFDb");
    assertThat(e.resource().label()).isEqualTo("ok \uD83D\uDE00");
  }

  @Test
  void multiLineJsonStrings_keepLineBreaksButLoseNul() {
    AuditEvent e = valid().metadata(Map.of("note", "line1\nline2\u0000\ttab", "k\u0000ey", "v")).build();
    assertThat(e.metadata().get("note").asText()).isEqualTo("line1\nline2\ttab");
    assertThat(e.metadata().has("key")).isTrue();
  }

  // ---- length caps ----

  @Test
  void everyStringField_isCutAtItsCapWithVisibleMarker() {
    String big = "x".repeat(5000);
    AuditEvent e = valid()
        .tenantId(big)
        .actor(Actor.user(big).role(big).email(big).org(big).extraId("k", big))
        .resource(Resource.of(big, big).label(big))
        .fromState(big).toState(big)
        .request(RequestInfo.builder().userAgent(big).method(big).path(big).requestId(big).build())
        .source(SourceInfo.of(big, big, big))
        .build();
    AuditLimits l = AuditLimits.defaults();
    assertCut(e.tenantId(), l.idLength());
    assertCut(e.actor().id(), l.idLength());
    assertCut(e.actor().role(), l.nameLength());
    assertCut(e.actor().email(), AuditLimits.EMAIL_LENGTH);
    assertCut(e.actor().org(), l.nameLength());
    assertCut(e.actor().extraIds().get("k"), l.idLength());
    assertCut(e.resource().type(), l.nameLength());
    assertCut(e.resource().id(), l.idLength());
    assertCut(e.resource().label(), l.textLength());
    assertCut(e.fromState(), l.nameLength());
    assertCut(e.toState(), l.nameLength());
    assertCut(e.request().userAgent(), l.textLength());
    assertCut(e.request().method(), l.nameLength());
    assertCut(e.request().path(), l.pathLength());
    assertCut(e.request().requestId(), l.idLength());
    assertCut(e.source().app(), l.nameLength());
    assertCut(e.source().version(), l.nameLength());
    assertCut(e.source().host(), l.nameLength());
  }

  private static void assertCut(String value, int cap) {
    assertThat(value).hasSize(cap).endsWith(MARKER).startsWith("xxxx");
  }

  @Test
  void valueExactlyAtCap_isNotCut() {
    assertThat(valid().tenantId("t".repeat(256)).build().tenantId()).isEqualTo("t".repeat(256));
  }

  @Test
  void capsCountCodePoints_andNeverSplitASurrogatePair() {
    String emoji = "\uD83D\uDE00";
    AuditEvent e = valid().tenantId(emoji.repeat(300)).build();
    String t = e.tenantId();
    assertThat(t.codePointCount(0, t.length())).isEqualTo(256);
    assertThat(t).endsWith(MARKER);
    assertThat(t.substring(0, t.length() - MARKER.length())).isEqualTo(emoji.repeat(256 - MARKER.length()));
    assertThat(valid().tenantId(emoji.repeat(256)).build().tenantId()).isEqualTo(emoji.repeat(256));
  }

  @Test
  void customLimits_apply() {
    AuditLimits small = AuditLimits.builder().idLength(40).build();
    AuditEvent e = valid().tenantId("y".repeat(100)).build(small);
    assertThat(e.tenantId()).hasSize(40).endsWith(MARKER);
    assertThatThrownBy(() -> AuditLimits.builder().idLength(3)).isInstanceOf(IllegalArgumentException.class);
  }

  // ---- metadata ----

  public static final class Pojo {
    public final String status = "paid";
    public final int attempts = 3;
  }

  record Rec(String reason, long cents) {}

  @Test
  void metadata_acceptsMapPojoRecordAndObjectNode() {
    assertThat(valid().metadata(Map.of("status", "paid")).build().metadata().get("status").asText()).isEqualTo("paid");
    assertThat(valid().metadata(new Pojo()).build().metadata().get("attempts").asInt()).isEqualTo(3);
    assertThat(valid().metadata(new Rec("late", 1250)).build().metadata().get("cents").asLong()).isEqualTo(1250);
    ObjectNode node = JsonNodeFactory.instance.objectNode().put("k", true);
    AuditEvent e = valid().metadata(node).build();
    node.put("k", false);
    assertThat(e.metadata().get("k").asBoolean()).as("the event holds a copy").isTrue();
    assertThat(valid().metadata((Object) null).build().metadata().isEmpty()).isTrue();
  }

  @Test
  void metadata_thatIsNotAnObject_failsNamingTheField() {
    for (Object bad : List.of("{\"a\":1}", List.of(1, 2), 42, true, JsonNodeFactory.instance.arrayNode(), JsonNodeFactory.instance.textNode("x"))) {
      assertThatThrownBy(() -> valid().metadata(bad))
          .as("metadata %s", bad)
          .isInstanceOfSatisfying(InvalidAuditEventException.class, e -> assertThat(e.field()).isEqualTo("metadata"));
    }
  }

  @Test
  void metadata_thatJacksonCannotSerialise_failsNamingTheField() {
    Object selfRef = new Object() {
      public Object getSelf() {
        return this;
      }
    };
    assertThatThrownBy(() -> valid().metadata(selfRef))
        .isInstanceOfSatisfying(InvalidAuditEventException.class, e -> assertThat(e.field()).isEqualTo("metadata"));
  }

  @Test
  void metadataKey_mustNotBeBlank() {
    assertThatThrownBy(() -> valid().metadata(" ", 1))
        .isInstanceOfSatisfying(InvalidAuditEventException.class, e -> assertThat(e.field()).isEqualTo("metadata"));
  }

  @Test
  void oversizedMetadata_isReplacedByMarkerWithSizeAndSha256() throws Exception {
    String blob = "z".repeat(70_000);
    AuditEvent.Builder b = valid().metadata(Map.of("blob", blob));
    byte[] original = ("{\"blob\":\"" + blob + "\"}").getBytes(StandardCharsets.UTF_8);
    AuditEvent e = b.build();
    JsonNode m = e.metadata();
    assertThat(m.get("_auditkit_oversize").asBoolean()).isTrue();
    assertThat(m.get("originalBytes").asInt()).isEqualTo(original.length);
    assertThat(m.get("sha256").asText())
        .isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(original)));
    assertThat(e.action()).as("the rest of the event is kept").isEqualTo("invoice.paid");
  }

  @Test
  void metadataJustUnderCap_isKept() {
    String blob = "z".repeat(64 * 1024 - 20);
    assertThat(valid().metadata(Map.of("blob", blob)).build().metadata().get("blob").asText()).isEqualTo(blob);
  }

  @Test
  void oversizedSnapshots_areReplacedByMarker() {
    AuditEvent e = valid().oldValue(Map.of("doc", "d".repeat(300_000))).newValue(Map.of("small", 1)).build();
    assertThat(e.oldValue().get("_auditkit_oversize").asBoolean()).isTrue();
    assertThat(e.newValue().get("small").asInt()).isEqualTo(1);
  }

  // ---- IP addresses ----

  @ParameterizedTest
  @ValueSource(strings = {"203.0.113.9", "2001:db8::1", "::1", "[2001:db8::1]", "fe80::1%eth0", "2001:DB8:0:0:0:0:0:1", "::ffff:10.1.2.3", " 10.0.0.1 "})
  void validIps_areKeptInCanonicalForm(String ip) {
    String normalised = valid().ipAddress(ip).build().request().ip();
    assertThat(normalised).isIn("203.0.113.9", "2001:db8::1", "::1", "fe80::1", "10.1.2.3", "10.0.0.1");
  }

  @ParameterizedTest
  @ValueSource(strings = {"999.1.1.1", "1.2.3", "01.2.3.4", "1.2.3.4.5", "example.com", "localhost", "1.2.3.4; DROP", "::g", "1:2:3:4:5:6:7:8:9", "' or 1=1", "\u0000"})
  void invalidIps_areDroppedAndNoted(String ip) {
    AuditEvent e = valid().ipAddress(ip).build();
    assertThat(e.request().ip()).isNull();
    assertThat(e.metadata().get(AuditEvent.NOTES_KEY)).isNotNull();
    assertThat(e.metadata().get(AuditEvent.NOTES_KEY).get(0).asText()).startsWith("request.ip dropped");
    assertThat(e.action()).isEqualTo("invoice.paid");
  }

  // ---- immutability ----

  @Test
  void jsonAccessors_returnCopies() {
    AuditEvent e = valid().metadata(Map.of("a", 1)).newValue(Map.of("b", 2)).build();
    e.metadata().put("a", 99);
    ((ObjectNode) e.newValue()).put("b", 99);
    assertThat(e.metadata().get("a").asInt()).isEqualTo(1);
    assertThat(e.newValue().get("b").asInt()).isEqualTo(2);
    assertThatThrownBy(() -> e.changes().add(FieldChange.of("x", null, null))).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void toBuilder_roundTripsEveryField() {
    AuditEvent e = valid().tenantId("t").actor(Actor.user("u").role("r").extraId("workerId", "w"))
        .fromState("A").toState("B").addChange(FieldChange.of("s", null, JsonNodeFactory.instance.textNode("x")))
        .oldValue(Map.of("a", 1)).newValue(Map.of("a", 2)).metadata(Map.of("m", 1))
        .request(RequestInfo.builder().ip("10.0.0.1").method("POST").build())
        .source(SourceInfo.of("app", "1.0", "h")).seal(new Seal("t", 1, "0".repeat(64), "a".repeat(64))).build();
    assertThat(e.toBuilder().build()).isEqualTo(e);
  }
}

package dev.auditkit.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.auditkit.core.Actor;
import dev.auditkit.core.AuditEvent;
import dev.auditkit.core.EventKind;
import dev.auditkit.core.FieldChange;
import dev.auditkit.core.Outcome;
import dev.auditkit.core.RequestInfo;
import dev.auditkit.core.Resource;
import dev.auditkit.core.Seal;
import dev.auditkit.core.SourceInfo;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EventJsonTest {

  @Test
  void everyField_roundTripsExactly() {
    AuditEvent e = AuditEvent.builder()
        .occurredAt(Instant.parse("2026-01-02T03:04:05.000007Z"))
        .tenantId("org-\u00e9\uD83D\uDE00")
        .actor(Actor.user("u-1").role("admin").email("a@x.io").org("acme").extraId("workerId", "w-7"))
        .action("job.moved").kind(EventKind.TRANSITION).outcome(Outcome.DENIED)
        .resource(Resource.of("job", "7").label("Job #7"))
        .fromState("A").toState("B")
        .addChange(FieldChange.of("price", JsonNodeFactory.instance.numberNode(new java.math.BigDecimal("10.50")), null))
        .oldValue(Map.of("x", 1)).newValue(Map.of("x", 2))
        .metadata(Map.of("nested", Map.of("list", java.util.List.of(1, "two", true))))
        .request(RequestInfo.builder().ip("2001:db8::1").userAgent("UA").method("PUT").path("/p").requestId("r").build())
        .source(SourceInfo.of("app", "1", "h"))
        .seal(new Seal("org-1", 3, "0".repeat(64), "f".repeat(64)))
        .build();
    AuditEvent back = EventJson.fromJson(EventJson.toJson(e));
    assertThat(back).isEqualTo(e);
    assertThat(EventJson.toJson(e).get("occurredAt").asText()).isEqualTo("2026-01-02T03:04:05.000007Z");
    assertThat(EventJson.bytes(e)).as("streamed form").isEqualTo(Json.bytes(EventJson.toJson(e)));
  }

  @Test
  void bytes_isTheTreeFormByteForByte_forAwkwardValues() {
    java.util.Map<String, Object> meta = new java.util.LinkedHashMap<>(); // allows a null value
    meta.put("nan", Double.NaN);
    meta.put("inf", Double.POSITIVE_INFINITY);
    meta.put("big", new java.math.BigDecimal("1E+400"));
    meta.put("scaled", new java.math.BigDecimal("42.50"));
    meta.put("float", 1.1f);
    meta.put("long", Long.MIN_VALUE);
    meta.put("int", -7);
    meta.put("bigInt", new java.math.BigInteger("123456789012345678901234567890"));
    meta.put("negZero", -0.0);
    meta.put("null", null);
    meta.put("text", "quote \" back \\ nl \n ctl \u0001 emoji \uD83D\uDE00 sep \u2028");
    meta.put("nested", java.util.List.of(java.util.Map.of(), java.util.List.of(), "", java.util.Map.of("k", java.util.List.of(false))));
    java.util.List<AuditEvent> events = java.util.List.of(
        AuditEvent.builder().action("a").resource("r", null).build(),
        AuditEvent.builder().action("b").resource("r", "1").metadata(meta).oldValue(meta).newValue(java.util.List.of(1, 2))
            .addChange(FieldChange.of("p", null, JsonNodeFactory.instance.textNode("x")))
            .request(RequestInfo.builder().ip("::1").build()).build());
    for (AuditEvent e : events) {
      assertThat(new String(EventJson.bytes(e), java.nio.charset.StandardCharsets.UTF_8))
          .isEqualTo(new String(Json.bytes(EventJson.toJson(e)), java.nio.charset.StandardCharsets.UTF_8));
    }
  }

  @Test
  void minimalEvent_omitsAbsentFields() {
    AuditEvent e = AuditEvent.builder().action("a").resource("r", null).build();
    var json = EventJson.toJson(e);
    assertThat(json.has("tenantId")).isFalse();
    assertThat(json.has("request")).isFalse();
    assertThat(json.has("seal")).isFalse();
    assertThat(EventJson.fromJson(json)).isEqualTo(e);
  }

  @Test
  void timeFormat_matchesJavaTimeOverTheWholeRange() {
    java.time.format.DateTimeFormatter reference = java.time.format.DateTimeFormatter
        .ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(java.time.ZoneOffset.UTC);
    java.util.SplittableRandom random = new java.util.SplittableRandom(3);
    long min = Instant.parse("0000-01-01T00:00:00Z").getEpochSecond();
    long max = Instant.parse("9999-12-31T23:59:59Z").getEpochSecond();
    for (int i = 0; i < 20_000; i++) {
      Instant t = Instant.ofEpochSecond(random.nextLong(min, max + 1), random.nextInt(1_000_000) * 1000L);
      assertThat(EventJson.formatTime(t)).isEqualTo(reference.format(t));
    }
    for (Instant t : java.util.List.of(Instant.parse("0000-01-01T00:00:00Z"), Instant.parse("9999-12-31T23:59:59.999999Z"),
        Instant.parse("1969-12-31T23:59:59.999999Z"), Instant.parse("-0001-06-01T00:00:00Z"), Instant.parse("+10000-01-01T00:00:00Z"))) {
      assertThat(EventJson.formatTime(t)).isEqualTo(reference.format(t));
    }
  }

  @Test
  void timeFormat_alwaysHasSixFractionDigits() {
    assertThat(EventJson.formatTime(Instant.parse("2026-01-02T03:04:05Z"))).isEqualTo("2026-01-02T03:04:05.000000Z");
  }

  @Test
  void fromJson_rebuildsWithUnlimitedLimits_soStoredValuesAreNotCutAgain() {
    dev.auditkit.core.AuditLimits wide = dev.auditkit.core.AuditLimits.builder().textLength(100_000)
        .metadataBytes(10_000_000).build();
    String label = "L".repeat(5_000);
    String big = "x".repeat(200_000);
    AuditEvent e = AuditEvent.builder().action("a").resource(Resource.of("r", "1").label(label))
        .metadata(Map.of("big", big)).build(wide);
    assertThat(e.resource().label()).hasSize(5_000);
    AuditEvent back = EventJson.fromJson(EventJson.toJson(e));
    assertThat(back.resource().label()).isEqualTo(label);
    assertThat(back.metadata().get("big").asText()).isEqualTo(big);
    assertThat(back).isEqualTo(e);
  }
}

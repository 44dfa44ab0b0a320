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

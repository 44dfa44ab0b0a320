package dev.auditkit.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.auditkit.core.chain.CanonicalEncoding;
import dev.auditkit.core.internal.EventNodes;
import dev.auditkit.core.internal.Json;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * An event read back to be hashed is built exactly: a value that building would clean up is refused
 * (it was put there behind auditkit's back), and anything auditkit writes builds to the same event.
 */
class ExactBuildTest {
  private static AuditEvent.Builder stored() {
    return AuditEvent.builder()
        .id(UUID.fromString("01900000-0000-7000-8000-000000000001"))
        .occurredAt(Instant.parse("2026-05-01T10:00:00.123456Z"))
        .tenantId("m\u00fcller-\u6771\u4eac \uD83D\uDE00")
        .actor(Actor.user("u-1").role("admin").email("a@x.io").org("acme").extraId("workerId", "w-1"))
        .action("doc.updated")
        .resource(Resource.of("doc", "d-1").label("Invoice \u00e9"))
        .fromState("draft").toState("sent")
        .addChange(FieldChange.of("amount", Json.MAPPER.valueToTree(1), Json.MAPPER.valueToTree(2)))
        .addChange(FieldChange.of("title", Json.MAPPER.valueToTree("a\tb\nc"), Json.MAPPER.valueToTree("d")))
        .metadata("note", "line one\nline two\ttab \uD83D\uDE00")
        .metadata("nested", Map.of("list", List.of(1, "", Map.of())))
        .request(RequestInfo.builder().ip("2001:db8::1").userAgent("curl/8").method("POST").path("/d/1")
            .requestId("r-1").build())
        .source(SourceInfo.of("app", "1.0", "host-1"));
  }

  private static AuditEvent exact(AuditEvent.Builder b) {
    return EventNodes.get().buildExact(b);
  }

  @Test
  void whatAuditkitWrites_buildsToTheSameEvent() {
    AuditEvent lenient = stored().build(AuditLimits.unlimited());
    AuditEvent exact = exact(stored());
    assertThat(exact).isEqualTo(lenient);
    assertThat(CanonicalEncoding.sha256(exact)).isEqualTo(CanonicalEncoding.sha256(lenient));
    // and what the model made of awkward input builds exactly again
    AuditEvent cleaned = stored().resource(Resource.of("doc", "d-1").label("tab\there \u202e")).metadata("k\u0007", "v\u0000").build();
    assertThat(exact(cleaned.toBuilder())).isEqualTo(cleaned);
  }

  @Test
  void whatBuildingWouldCleanUp_isRefused_naming_theField() {
    Map<String, UnaryOperator<AuditEvent.Builder>> edits = Map.ofEntries(
        Map.entry("tenantId", b -> b.tenantId("org-1\u202e")),
        Map.entry("resource.id", b -> b.resource(Resource.of("doc", ""))),
        Map.entry("resource.label", b -> b.resource(Resource.of("doc", "d-1").label("a\u0007b"))),
        Map.entry("fromState", b -> b.fromState("")),
        Map.entry("actor.role", b -> b.actor(Actor.user("u-1").role("adm\u2066in"))),
        Map.entry("actor.id", b -> b.actor(Actor.user("u-1\n"))),
        Map.entry("request.ip", b -> b.request(RequestInfo.builder().ip("2001:DB8:0::1").build())),
        Map.entry("request.userAgent", b -> b.request(RequestInfo.builder().userAgent("x\u0085").build())),
        Map.entry("source.host", b -> b.source(SourceInfo.of("app", "1.0", ""))),
        Map.entry("metadata", b -> b.metadata("k\u0007", 1)),
        Map.entry("newValue", b -> b.newValue(Map.of("v", "\u202eevil"))),
        Map.entry("changes", b -> b.changes(List.of(FieldChange.of("z", null, null), FieldChange.of("a", null, null)))),
        Map.entry("changes.path", b -> b.changes(List.of(FieldChange.of("p\u0000", null, null)))),
        Map.entry("changes.to", b -> b.changes(List.of(FieldChange.of("p", null, Json.MAPPER.valueToTree("\u0001"))))));
    edits.forEach((field, edit) -> {
      assertThat(edit.apply(stored()).build(AuditLimits.unlimited())).as(field + " builds leniently").isNotNull();
      assertThatThrownBy(() -> exact(edit.apply(stored())))
          .as(field)
          .isInstanceOfSatisfying(InvalidAuditEventException.class, e -> assertThat(e.field()).isEqualTo(field));
    });
  }

  /**
   * One change per path: the hash sorts changes, so it would not cover the order of two changes
   * with one path, and swapping them in the store would go unnoticed. Exactly, a second change with
   * a path is refused (MODIFIED); leniently, paths that became equal when cleaned are told apart.
   */
  @Test
  void twoChangesWithOnePath_areRefusedExactly_andToldApartWhenCleaningMadeThem() {
    JsonNode one = Json.MAPPER.valueToTree(1);
    JsonNode two = Json.MAPPER.valueToTree(2);
    assertThatThrownBy(() -> exact(stored().changes(List.of(FieldChange.of("status", one, two),
        FieldChange.of("status", two, one)))))
        .isInstanceOfSatisfying(InvalidAuditEventException.class, e -> assertThat(e.field()).isEqualTo("changes"))
        .hasMessageContaining("status twice");

    AuditEvent e = stored().changes(List.of(FieldChange.of("ab", one, two), FieldChange.of("a\u0001b", two, one),
        FieldChange.of("\u0001", one, one), FieldChange.of("\u0002", two, two), FieldChange.of("ab#2", one, null))).build();
    // in the order given: "a\u0001b" became "ab", so it is "ab#2", and the given "ab#2" then "ab#2#2"
    assertThat(e.changes()).extracting(FieldChange::path).containsExactly("_", "_#2", "ab", "ab#2", "ab#2#2");
    assertThat(e.changes()).filteredOn(c -> c.path().equals("ab#2")).singleElement()
        .satisfies(c -> assertThat(c.fromNode()).isEqualTo(two));
    assertThat(e.changes()).filteredOn(c -> c.path().equals("ab#2#2")).singleElement()
        .satisfies(c -> assertThat(c.toNode().isNull()).isTrue());
    assertThat(e.metadata().get(AuditEvent.NOTES_KEY).toString()).contains("3 change(s) had the path of another");
    assertThat(exact(e.toBuilder())).as("what the lenient build made builds exactly").isEqualTo(e);

    // paths cut to the limit stay within it
    AuditLimits limits = AuditLimits.defaults();
    String longPath = "p".repeat(limits.textLength() + 50);
    AuditEvent cut = stored().changes(List.of(FieldChange.of(longPath + "x", one, two),
        FieldChange.of(longPath + "y", two, one))).build(limits);
    assertThat(cut.changes()).extracting(FieldChange::path).doesNotHaveDuplicates()
        .allSatisfy(p -> assertThat(p.codePointCount(0, p.length())).isLessThanOrEqualTo(limits.textLength()));
    assertThat(exact(cut.toBuilder())).isEqualTo(cut);
  }

  /**
   * Untrusted keys can make thousands of paths that clean to one (long keys sharing a prefix cut at
   * the limit): telling them apart stays linear, not a search from #2 for each (17 s for 4,000 before).
   */
  @Test
  void manyPathsThatCleanToOne_areToldApartInLinearTime() {
    Map<String, Object> after = new java.util.LinkedHashMap<>();
    String prefix = "k".repeat(AuditLimits.defaults().textLength() + 100);
    for (int i = 0; i < 4000; i++) {
      after.put(prefix + i, i);
    }
    List<FieldChange> changes = ChangeDiffer.defaults().diff(Map.of(), after);
    AuditEvent e = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(10),
        () -> AuditEvent.builder().actor(Actor.user("u")).action("settings.updated")
            .resource(Resource.of("settings", "s-1")).changes(changes).build());
    assertThat(e.changes()).hasSize(4000).extracting(FieldChange::path).doesNotHaveDuplicates();
    assertThat(e.metadata().get(AuditEvent.NOTES_KEY).toString()).contains("3999 change(s)");
  }

  @Test
  void theLenientBuild_cleansWhatTheExactOneRefuses() {
    AuditEvent lenient = stored().tenantId("org-1\u202e").fromState("")
        .resource(Resource.of("doc", "d-1").label("a\u0007b")).metadata("k\u0007", "v").build(AuditLimits.unlimited());
    assertThat(lenient.tenantId()).isEqualTo("org-1");
    assertThat(lenient.fromState()).isNull();
    assertThat(lenient.resource().label()).isEqualTo("ab");
    JsonNode meta = lenient.metadata();
    assertThat(meta.has("k")).isTrue();
  }
}

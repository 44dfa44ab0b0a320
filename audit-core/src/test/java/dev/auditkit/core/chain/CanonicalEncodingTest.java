package dev.auditkit.core.chain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.auditkit.core.Actor;
import dev.auditkit.core.AuditEvent;
import dev.auditkit.core.EventKind;
import dev.auditkit.core.FieldChange;
import dev.auditkit.core.Outcome;
import dev.auditkit.core.RequestInfo;
import dev.auditkit.core.Resource;
import dev.auditkit.core.Seal;
import dev.auditkit.core.SourceInfo;
import dev.auditkit.core.chain.internal.CanonicalWriter;
import dev.auditkit.core.internal.EventJson;
import dev.auditkit.core.internal.Json;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class CanonicalEncodingTest {

  @Test
  void startsWithTheVersionLine() {
    byte[] b = CanonicalEncoding.encode(TestEvents.full("org-1", 1));
    assertThat(new String(b, StandardCharsets.UTF_8)).startsWith("auditkit.event.v1\n{\"action\":");
  }

  @Test
  void keyOrderOfJsonValues_doesNotMatter() {
    Random random = new Random(7);
    List<String> keys = new ArrayList<>(List.of("b", "a", "\u00e9", "Z", "\uE000", "\uD83D\uDE00", "aa", ""));
    String first = null;
    for (int round = 0; round < 20; round++) {
      Collections.shuffle(keys, random);
      Map<String, Object> meta = new LinkedHashMap<>();
      Map<String, Object> nested = new LinkedHashMap<>();
      for (String k : keys) {
        meta.put(k, k.length());
        nested.put(k, List.of(k));
      }
      meta.put("nested", nested);
      AuditEvent e = base().metadata(meta).oldValue(nested).newValue(Map.of("n", nested)).build();
      String hash = CanonicalEncoding.sha256Hex(e);
      if (first == null) {
        first = hash;
      }
      assertThat(hash).isEqualTo(first);
    }
  }

  @Test
  void numbersAreEncodedByValue() {
    String a = hashWithMeta(Json.nodes().numberNode(new BigDecimal("42.50")));
    assertThat(hashWithMeta(Json.nodes().numberNode(new BigDecimal("42.5")))).isEqualTo(a);
    assertThat(hashWithMeta(Json.nodes().numberNode(42.5d))).isEqualTo(a);
    assertThat(hashWithMeta(Json.nodes().numberNode(42.5f))).isEqualTo(a);
    assertThat(hashWithMeta(Json.nodes().numberNode(new BigDecimal("4.250E+1")))).isEqualTo(a);
    assertThat(hashWithMeta(Json.nodes().numberNode(new BigDecimal("42.51")))).isNotEqualTo(a);
    assertThat(hashWithMeta(Json.nodes().numberNode(7))).isEqualTo(hashWithMeta(Json.nodes().numberNode(new BigDecimal("7.000"))));
    assertThat(hashWithMeta(Json.nodes().numberNode(7L))).isEqualTo(hashWithMeta(Json.nodes().numberNode(new java.math.BigInteger("7"))));
  }

  @Test
  void numberFormat_followsTheDocumentedRule() {
    Map<String, String> cases = new LinkedHashMap<>();
    cases.put("0", "0");
    cases.put("-0.000", "0");
    cases.put("100", "100");
    cases.put("1E+2", "100");
    cases.put("-7", "-7");
    cases.put("42.50", "42.5");
    cases.put("0.000001", "0.000001");
    cases.put("0.0000001", "0.0000001");
    cases.put("0.00000001", "1e-8");
    cases.put("1.5E-10", "1.5e-10");
    cases.put("123456789012345678901", "123456789012345678901");
    cases.put("1234567890123456789012", "1.234567890123456789012e+21");
    cases.put("1E+300", "1e+300");
    cases.put("-2.5E+21", "-2.5e+21");
    cases.put("1E-1000000", "1e-1000000");
    cases.forEach((in, out) -> assertThat(CanonicalWriter.formatNumber(new BigDecimal(in))).as(in).isEqualTo(out));
  }

  @Test
  void nonFiniteDoubles_becomeStrings() {
    assertThat(json(Json.nodes().numberNode(Double.NaN))).isEqualTo("\"NaN\"");
    assertThat(json(Json.nodes().numberNode(Double.NEGATIVE_INFINITY))).isEqualTo("\"-Infinity\"");
    assertThat(json(Json.nodes().numberNode(Float.POSITIVE_INFINITY))).isEqualTo("\"Infinity\"");
  }

  @Test
  void strings_escapeOnlyTheDocumentedCharacters() {
    String s = "q\" b\\ \b\f\n\r\t \u0001\u001b / \u007f \u2028 \u00e9 \uD83D\uDE00";
    assertThat(json(Json.nodes().textNode(s)))
        .isEqualTo("\"q\\\" b\\\\ \\b\\f\\n\\r\\t \\u0001\\u001b / \u007f \u2028 \u00e9 \uD83D\uDE00\"");
  }

  @Test
  void loneSurrogates_areRejectedWithAClearError() {
    assertThatThrownBy(() -> json(Json.nodes().textNode("a\uD800b")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lone surrogate");
    assertThatThrownBy(() -> json(Json.nodes().textNode("\uDC00")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lone surrogate");
  }

  @Test
  void keysSortByCodePoint_notByUtf16Unit() {
    ObjectNode o = Json.nodes().objectNode();
    o.put("\uD83D\uDE00", 1);
    o.put("\uE000", 2);
    o.put("a", 3);
    assertThat(json(o)).isEqualTo("{\"a\":3,\"\uE000\":2,\"\uD83D\uDE00\":1}");
  }

  @Test
  void nullAndEmptyOptionals_areOmitted() {
    AuditEvent plain = base().build();
    AuditEvent nullSnapshots = base().oldValue(Json.nodes().nullNode()).newValue(Json.nodes().nullNode()).build();
    assertThat(CanonicalEncoding.encode(nullSnapshots)).isEqualTo(CanonicalEncoding.encode(plain));
    String text = new String(CanonicalEncoding.encode(plain), StandardCharsets.UTF_8);
    assertThat(text).doesNotContain("\"metadata\"", "\"changes\"", "\"request\"", "\"source\"", "\"tenantId\"", "\"oldValue\"", "null");
  }

  @Test
  void sealIsNotPartOfTheEncoding() {
    AuditEvent e = TestEvents.full("org-1", 1);
    AuditEvent sealed = e.toBuilder().seal(new Seal("t:org-1", 1, "0".repeat(64), "1".repeat(64))).build();
    assertThat(CanonicalEncoding.encode(sealed)).isEqualTo(CanonicalEncoding.encode(e));
  }

  @Test
  void everyField_changesTheBytes() {
    AuditEvent e = TestEvents.full("org-1", 1);
    byte[] original = CanonicalEncoding.encode(e);
    List<UnaryOperator<AuditEvent.Builder>> edits = List.of(
        b -> b.id(UUID.randomUUID()),
        b -> b.occurredAt(e.occurredAt().plusNanos(1000)),
        b -> b.tenantId("org-2"),
        b -> b.actor(e.actor().role("user")),
        b -> b.actor(e.actor().email("b@x.io")),
        b -> b.actor(e.actor().org("other")),
        b -> b.actor(e.actor().extraId("workerId", "w-9")),
        b -> b.actor(Actor.service(e.actor().id())),
        b -> b.actor(Actor.user("u-2")),
        b -> b.action("invoice.deleted"),
        b -> b.kind(EventKind.DELETE),
        b -> b.outcome(Outcome.FAILURE),
        b -> b.resource(Resource.of("invoice", "inv-2").label(e.resource().label())),
        b -> b.resource(Resource.of("bill", e.resource().id()).label(e.resource().label())),
        b -> b.resource(Resource.of("invoice", e.resource().id()).label("other")),
        b -> b.fromState("X"),
        b -> b.toState("Y"),
        b -> b.changes(List.of(FieldChange.of("status", Json.nodes().textNode("OPEN"), Json.nodes().textNode("VOID")))),
        b -> b.oldValue(Map.of("status", "X")),
        b -> b.newValue(Map.of("status", "X")),
        b -> b.metadata("alpha", new BigDecimal("42.51")),
        b -> b.request(e.request().toBuilder().ip("203.0.113.10").build()),
        b -> b.request(e.request().toBuilder().userAgent("UA/2").build()),
        b -> b.request(e.request().toBuilder().method("POST").build()),
        b -> b.request(e.request().toBuilder().path("/api/y").build()),
        b -> b.request(e.request().toBuilder().requestId("r-x").build()),
        b -> b.source(SourceInfo.of("other", "1.0", "web-1")),
        b -> b.source(SourceInfo.of("billing", "2.0", "web-1")),
        b -> b.source(SourceInfo.of("billing", "1.0", "web-2")));
    List<String> seen = new ArrayList<>();
    for (UnaryOperator<AuditEvent.Builder> edit : edits) {
      byte[] changed = CanonicalEncoding.encode(edit.apply(e.toBuilder()).build());
      assertThat(changed).isNotEqualTo(original);
      seen.add(new String(changed, StandardCharsets.UTF_8));
    }
    assertThat(seen).doesNotHaveDuplicates();
  }

  @Test
  void changeOrder_isCanonical() {
    FieldChange a = FieldChange.of("a", Json.nodes().numberNode(1), Json.nodes().numberNode(2));
    FieldChange b = FieldChange.of("b", null, Json.nodes().numberNode(2));
    assertThat(CanonicalEncoding.encode(base().changes(List.of(a, b)).build()))
        .isEqualTo(CanonicalEncoding.encode(base().changes(List.of(b, a)).build()));
  }

  @Test
  void directEncoder_agreesWithTheGenericRulesAppliedToTheExportForm() {
    for (int i = 0; i < 10; i++) {
      AuditEvent e = TestEvents.full(i % 2 == 0 ? "org-" + i : null, i);
      ObjectNode form = EventJson.toJson(e);
      form.remove("seal");
      if (form.get("metadata").isEmpty()) {
        form.remove("metadata");
      }
      byte[] generic = new CanonicalWriter().json(form).toByteArray();
      byte[] direct = CanonicalEncoding.encode(e);
      assertThat(new String(direct, StandardCharsets.UTF_8))
          .isEqualTo(CanonicalEncoding.VERSION + "\n" + new String(generic, StandardCharsets.UTF_8));
    }
  }

  @Test
  void exportRoundTrip_keepsTheHash() {
    AuditEvent e = TestEvents.full("org-1", 3);
    AuditEvent back = EventJson.fromJson(Json.MAPPER.valueToTree(EventJson.toJson(e)));
    assertThat(CanonicalEncoding.sha256Hex(back)).isEqualTo(CanonicalEncoding.sha256Hex(e));
  }

  @Test
  void nestingIsLimitedToWhatJacksonCanReadBack() {
    assertThat(json(nested(CanonicalWriter.MAX_DEPTH))).startsWith("[[[").endsWith("]]]");
    assertThatThrownBy(() -> json(nested(CanonicalWriter.MAX_DEPTH + 1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("deeper than 1000");
  }

  private static JsonNode nested(int depth) {
    JsonNode n = Json.nodes().numberNode(1);
    for (int i = 0; i < depth; i++) {
      n = Json.nodes().arrayNode().add(n);
    }
    return n;
  }

  @Test
  void nullEvent_isRejected() {
    assertThatThrownBy(() -> CanonicalEncoding.encode(null)).isInstanceOf(NullPointerException.class).hasMessage("event");
  }

  @Test
  void timesOutsideFourDigitYears_cannotReachTheEncoding() {
    // the builder refuses them (the encoding would too: it writes four-digit years)
    assertThatThrownBy(() -> base().occurredAt(Instant.parse("+10000-01-01T00:00:00Z")).build())
        .isInstanceOf(dev.auditkit.core.InvalidAuditEventException.class).hasMessageContaining("0001-9999");
  }

  private static AuditEvent.Builder base() {
    return AuditEvent.builder().id(new UUID(1, 2)).occurredAt(Instant.parse("2026-01-02T03:04:05Z"))
        .action("a").resource("r", null);
  }

  private static String hashWithMeta(JsonNode value) {
    return CanonicalEncoding.sha256Hex(base().metadata("v", value).build());
  }

  private static String json(JsonNode n) {
    return new String(new CanonicalWriter().json(n).toByteArray(), StandardCharsets.UTF_8);
  }

  /**
   * The hashers are reused through shared slots: threads hashing at once (and a thread whose slot
   * another holds) each get the hash the plain encoding gives, and the writers' reused member
   * arrays never mix two events.
   */
  @Test
  void threadsHashingAtOnce_getTheHashOfTheirOwnEvent() throws Exception {
    List<AuditEvent> events = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      events.add(i % 2 == 0 ? TestEvents.full("org-" + (i % 7), i) : TestEvents.small(null, i));
    }
    List<byte[]> expected = new ArrayList<>();
    for (AuditEvent e : events) {
      expected.add(java.security.MessageDigest.getInstance("SHA-256").digest(CanonicalEncoding.encode(e)));
    }
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(12);
    try {
      List<java.util.concurrent.Future<Integer>> results = new ArrayList<>();
      for (int t = 0; t < 12; t++) {
        int offset = t * 37;
        results.add(pool.submit(() -> {
          int wrong = 0;
          for (int round = 0; round < 25; round++) {
            for (int k = 0; k < events.size(); k++) {
              int i = (k + offset) % events.size();
              if (!java.util.Arrays.equals(CanonicalEncoding.sha256(events.get(i)), expected.get(i))) {
                wrong++;
              }
            }
          }
          return wrong;
        }));
      }
      for (java.util.concurrent.Future<Integer> f : results) {
        assertThat(f.get()).isZero();
      }
    } finally {
      pool.shutdownNow();
    }
  }
}

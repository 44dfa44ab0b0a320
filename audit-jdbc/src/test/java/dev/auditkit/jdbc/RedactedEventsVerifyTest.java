package dev.auditkit.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.auditkit.core.AuditEvent;
import dev.auditkit.core.AuditLog;
import dev.auditkit.core.Delivery;
import dev.auditkit.core.RedactionPolicy;
import dev.auditkit.testing.DatabaseTest;
import dev.auditkit.testing.TestDatabase;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Events whose values redaction rewrote are stored as they were built and verify: a review found
 * that JSON read from a string and written back (its escapes now characters the model never
 * stores) and keys that masking made longer were stored uncleaned, so verify called honest events
 * MODIFIED.
 */
class RedactedEventsVerifyTest {

  @DatabaseTest
  void eventsRedactionRewrote_readBackExactly_andVerify(TestDatabase db) throws Exception {
    try (JdbcAuditStore store = SealingTest.manualStore(db)) {
      AuditLog audit = AuditLog.builder().store(store).delivery(Delivery.SYNC).build();
      Map<String, Object> meta = new LinkedHashMap<>();
      meta.put("body", "{\"token\":\"t\",\"n\":\"a\\u202eb\\u0085c\\ud800\"} and then some text");
      meta.put("x".repeat(240) + "https://a:b@h", 1);
      meta.put("k".repeat(240) + "4111111111111111", 2);
      meta.put("k".repeat(240) + "************1111", 3);
      meta.put("link", "https://app.example/reset?token=abc123&u=7");
      // the text rules: a header line, escaped quotes, a Java header map, a NUL and a bidi character nearby
      meta.put("log", "GET /x\nAuthorization: Bearer eyJhbGciOi.eyJzdWIi.s1g-1\r\nbody={\\\"password\\\":\\\"p\u202e1\\\"} "
          + "{Cookie=[sid=s3cr3t; a=1]} pass\u0000word=x1 Basic dXNlcjpwYXNz");
      List<UUID> ids = List.of(
          audit.logAction("a", "r", "1", meta),
          audit.updated("user", "u1", Map.of("refreshTokens", Map.of("rt_live_1", "a")),
              Map.of("refreshTokens", Map.of("rt_live_1", "b"))));
      store.sealNow(Duration.ofSeconds(30));
      assertThat(store.verifyAll()).isNotEmpty().allSatisfy(v -> assertThat(v.ok()).as(v.summary()).isTrue());
      for (UUID id : ids) {
        AuditEvent stored = store.findById(id).orElseThrow();
        String json = dev.auditkit.core.internal.EventJson.toJson(stored).toString();
        assertThat(json).doesNotContain("abc123", "rt_live_1", "4111111111111111", "a:b@");
      }
      AuditEvent first = store.findById(ids.get(0)).orElseThrow();
      assertThat(first.metadata().get("log").asText()).doesNotContain("eyJhbGciOi", "s3cr3t", "dXNlcjpwYXNz", "=x1", "p\u202e1")
          .startsWith("GET /x\nAuthorization: [REDACTED]\r\nbody=");
      assertThat(first.metadata().get("body").asText()).startsWith("{\"token\":\"" + RedactionPolicy.REDACTED + "\"")
          .endsWith(" and then some text");
    }
  }
}

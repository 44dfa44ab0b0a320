package dev.auditkit.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.auditkit.core.chain.CanonicalEncoding;
import dev.auditkit.core.internal.EventJson;
import dev.auditkit.core.internal.EventNodes;
import dev.auditkit.core.internal.Json;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Second review of the redaction hardening (2026-12-04): each case failed on its first version
 * (honest events read back as MODIFIED, a stack overflow, quadratic work, lost text, a cache that
 * could hold much memory, leaks through unwrapped properties, over-redaction).
 */
class RedactionReviewTest {
  private final InMemoryAuditStore store = new InMemoryAuditStore();
  private final AuditLog audit = AuditLog.builder().store(store).build();

  private AuditEvent last() {
    return store.events().get(store.events().size() - 1);
  }

  private static AuditEvent.Builder event() {
    return AuditEvent.builder().action("x").resource("r", "1");
  }

  /** What a store does on read: rebuild exactly, hash must match. */
  private static void assertRoundTrips(AuditEvent e) {
    String written = EventJson.toJson(e).toString();
    assertThatCode(() -> EventNodes.get().buildExact(e.toBuilder())).as("exact rebuild").doesNotThrowAnyException();
    AuditEvent back = EventJson.fromJsonExact(Json.parseObject(written, "x"));
    assertThat(CanonicalEncoding.sha256Hex(back)).isEqualTo(CanonicalEncoding.sha256Hex(e));
  }

  // ---- 1/2: jsonClean lets re-serialised embedded JSON through uncleaned
  @Test
  void embeddedJson_escapesBecomeRawUncleanedChars() {
    String body = "{\"password\":\"hunter2\",\"note\":\"a\\u202eb\\u0085c\\ud800\"}";
    audit.logAction("login", "user", "u1", Map.of("body", body));
    AuditEvent e = last();
    String stored = e.metadata().get("body").textValue();
    assertThat(stored).doesNotContain("hunter2");
    assertThat(Json.keptAsIs(e.metadata())).as("stored metadata is clean: " + stored).isTrue();
    assertRoundTrips(e);
  }

  // ---- 2: key masking grows a key past the 256 code-point key limit
  @Test
  void urlCredentialsInALongKey_growTheKeyPastTheLimit_exactRebuildRefuses() {
    String key = "x".repeat(240) + "https://a:b@h";
    audit.logAction("a", "r", "1", Map.of(key, 1));
    AuditEvent e = last();
    assertThat(e.metadata().fieldNames().next().codePointCount(0, e.metadata().fieldNames().next().length()))
        .isLessThanOrEqualTo(256);
    assertRoundTrips(e);
  }

  @Test
  void collidingMaskedCardKeys_at256_getSuffixPastLimit() {
    String pad = "k".repeat(240);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put(pad + "4111111111111111", 1);
    m.put(pad + "4242424242424242".substring(0, 12) + "1111", 2); // may not be luhn; use two real ones below
    m.clear();
    m.put(pad + "4111111111111111", 1);
    m.put(pad + "************1111", 2);
    audit.logAction("a", "r", "1", m);
    assertRoundTrips(last());
  }

  // ---- 4: @AuditMasked lost under @JsonUnwrapped (BeanPropertyWriter.rename drops the Masked subclass)
  public static class Lock {
    @AuditMasked public String gateCode = "4721";
    public String site = "north";
  }

  public static class Job {
    public String id = "j1";
    @JsonUnwrapped public Lock lock = new Lock();
  }

  @Test
  void maskedPropertyInsideUnwrapped_leaks() {
    audit.appendAuditLog(event().newValue(new Job()));
    assertThat(last().newValue().toString()).doesNotContain("4721").contains("north");
  }

  // ---- 3: over-redaction
  @Test
  void commonNonSecretKeys_stayReadable() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("apiKeyId", "key_01H");
    m.put("apiKeyName", "CI deploy");
    m.put("secretName", "prod/db");
    m.put("secretArn", "arn:aws:secretsmanager:eu-west-1:1:secret:x");
    m.put("totalTokens", 1234);
    m.put("acceptCookies", true);
    m.put("credentials", List.of("RN", "BLS"));
    m.put("promptTokens", 120);
    // "pin" stays redacted on purpose (a PIN is the common meaning in audit data; keepKeys("pin") for a map pin)
    audit.logAction("a", "r", "1", m);
    JsonNode md = last().metadata();
    StringBuilder redacted = new StringBuilder();
    m.keySet().forEach(k -> {
      if (RedactionPolicy.REDACTED.equals(md.path(k).asText())) {
        redacted.append(k).append(' ');
      }
    });
    assertThat(redacted.toString()).as("redacted non-secret keys").isEmpty();
  }

  @Test
  void gitSshUrl_userNameIsNotACredential() {
    audit.logAction("a", "r", "1", Map.of("repo", "ssh://git@github.com/acme/app.git"));
    assertThat(last().metadata().get("repo").asText()).isEqualTo("ssh://git@github.com/acme/app.git");
  }

  // ---- 4: @AuditMasked lost under @JsonUnwrapped(prefix): rename() makes a plain BeanPropertyWriter
  public static class JobP {
    public String id = "j1";
    @JsonUnwrapped(prefix = "lock_") public Lock lock = new Lock();
  }

  @Test
  void maskedPropertyInsidePrefixedUnwrapped_leaks() {
    audit.appendAuditLog(event().newValue(new JobP()));
    assertThat(last().newValue().toString()).doesNotContain("4721").contains("north");
  }

  // ---- 1: a string that starts with JSON and goes on loses its tail
  @Test
  void textAfterLeadingJson_isKept() {
    String line = "{\"token\":\"abc\"} -> upstream refused: quota exceeded for tenant 17";
    audit.logAction("a", "r", "1", Map.of("log", line));
    String stored = last().metadata().get("log").textValue();
    assertThat(stored).doesNotContain("abc").contains("quota exceeded for tenant 17");
  }

  // ---- 1/4: strings holding JSON holding strings holding JSON ... recurse without bound
  @Test
  void nestedEmbeddedJson_doesNotOverflowTheStack() throws Exception {
    String s = "{\"password\":\"x\"}";
    int levels = 0;
    while (true) {
      String next = "[".repeat(900) + Json.MAPPER.writeValueAsString(s) + "]".repeat(900);
      if (next.length() > 900_000) {
        break;
      }
      s = next;
      levels++;
    }
    assertThat(s.length()).isLessThan(1_000_000);
    String v = s;
    assertThatCode(() -> audit.logAction("a", "r", "1", Map.of("body", v))).doesNotThrowAnyException();
  }

  // ---- 4: colliding masked card keys: quadratic suffix search
  static String cardEnding1111(long middle) {
    String base = "4" + String.format("%011d", middle) + "111";
    for (int d = 0; d < 10; d++) {
      if (dev.auditkit.core.internal.CardNumbers.luhn(base + d) && d == 1) {
        return base + d;
      }
    }
    return null;
  }

  @Test
  void manyCardKeysMaskingToOneKey_areRedactedInLinearTime() {
    ObjectNode m = Json.nodes().objectNode();
    for (long i = 0; m.size() < 30_000; i++) {
      String k = cardEnding1111(i);
      if (k != null) {
        m.put(k, 1);
      }
    }
    assertThat(Json.bytes(m).length).isLessThan(1_000_000);
    // quadratic, this took 23 s; the guard is a denial-of-service bound, not a performance figure
    org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(10),
        () -> audit.logAction("a", "r", "1", m));
    assertThat(last().metadata().has(Json.OVERSIZE_KEY)).as("over 64 KiB: the marker").isTrue();
    assertThat(EventJson.toJson(last()).toString()).doesNotContain("41111");
  }

  // ---- 4/5: the decided-key cache keeps untrusted keys of any length, forever
  @Test
  void keyCache_doesNotRetainHugeUntrustedKeys() throws Exception {
    RedactionPolicy policy = RedactionPolicy.defaults().maskKeys("gateCode");
    AuditLog log = AuditLog.builder().store(store).redaction(policy).build();
    for (int i = 0; i < 50; i++) {
      String name = ("k" + i).repeat(50_000);
      log.appendAuditLog(event().request(RequestInfo.builder().path("/search?" + name + "=1").build()));
    }
    java.lang.reflect.Field f = RedactionPolicy.class.getDeclaredField("decided");
    f.setAccessible(true);
    @SuppressWarnings("unchecked")
    Map<String, Boolean> decided = (Map<String, Boolean>) f.get(policy);
    long chars = decided.keySet().stream().mapToLong(String::length).sum();
    assertThat(chars).as("characters of keys retained by the policy").isLessThan(1_000_000);
  }

  // ---- 3: reference numbers now masked that were not
  @Test
  void ibanAndCoordinates_areNotMasked() {
    audit.logAction("a", "r", "1", Map.of("iban", "DE44 5001 0517 5407 3249 31",
        "route", "48.8566 2.3522 51.5074 0.1278"));
    assertThat(last().metadata().get("iban").asText()).isEqualTo("DE44 5001 0517 5407 3249 31");
    assertThat(last().metadata().get("route").asText()).isEqualTo("48.8566 2.3522 51.5074 0.1278");
  }

  // ---- 2: embedded JSON re-serialised: stored, read back exactly?
  @Test
  void embeddedJsonWithEscapedBidi_roundTrips() {
    audit.logAction("a", "r", "1", Map.of("body", "{\"token\":\"t\",\"n\":\"\\u202e\"}"));
    assertRoundTrips(last());
  }

  @Test
  void embeddedJsonWithEscapedLoneSurrogate_roundTrips() {
    audit.logAction("a", "r", "1", Map.of("body", "{\"token\":\"t\",\"n\":\"\\ud800\"}"));
    assertRoundTrips(last());
  }

  // ---- 4: remaining leaks under the default policy
  @Test
  void embeddedJsonPastJacksonsReadLimits_isStillRedacted() {
    String deep = "[" + "[".repeat(1001) + "]".repeat(1001) + ",{\"password\":\"hunter2\"}]";
    String longNumber = "{\"n\":" + "1".repeat(1001) + ",\"password\":\"hunter3\"}";
    audit.logAction("a", "r", "1", Map.of("deep", deep, "num", longNumber));
    assertThat(EventJson.toJson(last()).toString()).doesNotContain("hunter2").doesNotContain("hunter3");
  }

  @Test
  void tokenInTheQueryOfAUrlValue_isRedacted() {
    audit.logAction("a", "r", "1", Map.of("resetLink", "https://app.example/reset?token=abc123secret&u=7"));
    assertThat(EventJson.toJson(last()).toString()).doesNotContain("abc123secret");
  }

  @Test
  void secretUsedAsAMapKeyUnderASensitiveKey_doesNotStayInTheChangePath() {
    Map<String, Object> before = Map.of("refreshTokens", Map.of("rt_live_SECRET1", Map.of("device", "a")));
    Map<String, Object> after = Map.of("refreshTokens", Map.of("rt_live_SECRET1", Map.of("device", "b")));
    audit.updated("user", "u1", before, after);
    assertThat(EventJson.toJson(last()).toString()).doesNotContain("rt_live_SECRET1");
  }

  @Test
  void fullwidthCardNumber_isMasked() {
    audit.logAction("a", "r", "1", Map.of("note", "\uFF14\uFF11\uFF11\uFF11\uFF11\uFF11\uFF11\uFF11\uFF11\uFF11\uFF11\uFF11\uFF11\uFF11\uFF11\uFF11"));
    assertThat(last().metadata().get("note").asText()).doesNotStartWith("\uFF14\uFF11\uFF11\uFF11");
  }

  public record Creds(String user, @AuditMasked String gateCode) {}

  @Test
  void recordComponent_andIgnore_work() {
    audit.appendAuditLog(event().newValue(new Creds("ann", "4721")).metadata("c", new Creds("bob", "9911")));
    assertThat(EventJson.toJson(last()).toString()).doesNotContain("4721").doesNotContain("9911").contains("ann");
  }

  @Test
  void serviceActorIdentifiedByItsApiKeyId_keepsIt() {
    audit.appendAuditLog(event().actor(Actor.service("billing-sync").extraId("apiKeyId", "key_01HZX")
        .extraId("sessionId", "s-77")));
    // a session id is a bearer secret in most systems: it stays redacted (an exact default key)
    assertThat(last().actor().extraIds()).containsEntry("apiKeyId", "key_01HZX")
        .containsEntry("sessionId", RedactionPolicy.REDACTED);
  }
}

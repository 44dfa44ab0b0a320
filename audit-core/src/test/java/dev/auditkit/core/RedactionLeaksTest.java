package dev.auditkit.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import dev.auditkit.core.internal.EventJson;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Ways a secret could reach a stored event past the default policy, found by an adversarial review
 * (2026-12-04), each closed; every test failed on the code before. All go through {@link AuditLog}
 * with the default policy and look at what the sink received.
 */
class RedactionLeaksTest {
  private static final String PAN = "4111111111111111";
  private final InMemoryAuditStore store = new InMemoryAuditStore();
  private final AuditLog audit = AuditLog.builder().store(store).build();

  private AuditEvent only() {
    assertThat(store.events()).hasSize(1);
    return store.events().get(0);
  }

  private AuditEvent last() {
    return store.events().get(store.events().size() - 1);
  }

  /** What the sink got, as JSON. */
  private String stored() {
    return EventJson.toJson(only()).toString();
  }

  private static AuditEvent.Builder event() {
    return AuditEvent.builder().action("x").resource("r", "1");
  }

  private void path(String path) {
    audit.appendAuditLog(event().request(RequestInfo.builder().path(path).build()));
  }

  // ---------------------------------------------------------------- cleaning before redaction

  @Test
  void aCardNumberSplitByControlCharacters_isMasked_afterCleaningJoinsIt() {
    audit.logAction("pay", "order", "o1", Map.of("note", "4111\u00001111\u00001111\u00001111"));
    assertThat(only().metadata().get("note").asText()).isEqualTo("************1111");
  }

  @Test
  void aCardNumberSplitByABidiCharacter_inThePath_isMasked() {
    path("/pay/4111\u202a111111111111");
    assertThat(only().request().path()).isEqualTo("/pay/************1111");
  }

  @Test
  void aSensitiveKeySplitByAControlCharacter_isRedacted() {
    audit.logAction("login", "user", "u1", Map.of("pass\u0007word", "hunter2"));
    assertThat(stored()).doesNotContain("hunter2");
    assertThat(only().metadata().get("password").asText()).isEqualTo(RedactionPolicy.REDACTED);
  }

  // ---------------------------------------------------------------- values redaction could not see into

  @Test
  void aPojoInsideAHostsObjectNode_isRedacted() {
    ObjectNode m = JsonNodeFactory.instance.objectNode();
    m.putPOJO("login", Map.of("password", "hunter2", "user", "ann"));
    audit.logAction("login", "user", "u1", m);
    assertThat(stored()).doesNotContain("hunter2");
    assertThat(only().metadata().at("/login/user").asText()).isEqualTo("ann");
  }

  @Test
  void rawJsonInsideAHostsObjectNode_isRedacted() {
    ObjectNode m = JsonNodeFactory.instance.objectNode();
    m.putRawValue("body", new RawValue("{\"password\":\"hunter2\",\"n\":1}"));
    audit.logAction("login", "user", "u1", m);
    assertThat(stored()).doesNotContain("hunter2");
    assertThat(only().metadata().at("/body/n").asInt()).isEqualTo(1);
  }

  @Test
  void rawTextThatIsNoJson_isAClearError() {
    ObjectNode m = JsonNodeFactory.instance.objectNode();
    m.putRawValue("body", new RawValue("{not json"));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> audit.logAction("login", "user", "u1", m))
        .isInstanceOfSatisfying(InvalidAuditEventException.class, e -> assertThat(e.field()).isEqualTo("metadata"));
    assertThat(store.events()).isEmpty();
  }

  @Test
  void jsonHeldInAString_isRedactedInside_andOtherwiseLeftAsItWas() {
    audit.logAction("x", "r", "1", Map.of("body", "{\"password\": \"hunter2\", \"user\": \"ann\"}",
        "clean", "{\"user\":  \"ann\"}", "notJson", "{hunter2"));
    AuditEvent e = only();
    assertThat(e.metadata().get("body").asText()).isEqualTo("{\"password\":\"[REDACTED]\",\"user\":\"ann\"}");
    assertThat(e.metadata().get("clean").asText()).as("nothing to remove: kept byte for byte").isEqualTo("{\"user\":  \"ann\"}");
    assertThat(e.metadata().get("notJson").asText()).isEqualTo("{hunter2");
  }

  // ---------------------------------------------------------------- @AuditMasked wherever Jackson converts

  public record Account(String name, @AuditMasked String pin, @JsonFormat(pattern = "yyyy-MM-dd") LocalDate opened) {}

  public record Plain(String name, @AuditMasked String pin, @AuditIgnore String internal) {}

  @Test
  void auditMasked_holds_whenTheClassIsConvertedByJackson() {
    // @JsonFormat makes the differ hand the class to Jackson instead of walking it
    audit.updated("Account", "a1", new Account("ann", "9731", LocalDate.EPOCH),
        new Account("bob", "2468", LocalDate.EPOCH));
    assertThat(stored()).doesNotContain("9731", "2468");
    assertThat(only().changes()).extracting(FieldChange::path).contains("name");
  }

  @Test
  void auditMaskedAndIgnored_hold_inSnapshotsAndMetadataGivenAsObjects() {
    audit.appendAuditLog(event().oldValue(new Plain("ann", "9731", "x-1")).metadata(new Plain("bob", "2468", "x-2")));
    AuditEvent e = only();
    assertThat(e.oldValue().get("pin").asText()).isEqualTo(RedactionPolicy.REDACTED);
    assertThat(e.oldValue().has("internal")).isFalse();
    assertThat(e.metadata().get("pin").asText()).isEqualTo(RedactionPolicy.REDACTED);
    assertThat(e.metadata().get("name").asText()).isEqualTo("bob");
  }

  @Test
  void auditMasked_aWalkedClassStillRecordsThatTheMaskedValueChanged() {
    audit.updated("Plain", "p1", new Plain("ann", "9731", "x"), new Plain("ann", "2468", "x"));
    assertThat(only().changes()).singleElement().satisfies(c -> {
      assertThat(c.path()).isEqualTo("pin");
      assertThat(c.from().asText()).isEqualTo(RedactionPolicy.REDACTED);
      assertThat(c.to().asText()).isEqualTo(RedactionPolicy.REDACTED);
    });
  }

  // ---------------------------------------------------------------- fields and forms the policy missed

  @Test
  void actorExtraIds_underSensitiveKeys_areRedacted_alsoFromTheContext() {
    AuditContext ctx = AuditContext.builder()
        .actor(Actor.service("billing").extraId("apiKey", "sk_live_SECRET").extraId("workerId", "w-3")).build();
    AuditContext.runWithAuditContext(ctx, () -> {
      audit.appendAuditLog(event());
    });
    assertThat(only().actor().extraIds()).containsEntry("apiKey", RedactionPolicy.REDACTED).containsEntry("workerId", "w-3");
  }

  @Test
  void pathParameters_andSemicolonSeparatedQueries_areRedacted() {
    path("/cart;jsessionid=A1B2C3D4E5F6;v=2/items?x=1;token=T0K&y=2");
    assertThat(only().request().path()).isEqualTo("/cart;jsessionid=[REDACTED];v=2/items?x=1;token=[REDACTED]&y=2");
  }

  @Test
  void anIdentitySelectorOnASensitiveKey_losesItsValue() {
    AuditLog a = AuditLog.builder().store(store).differ(ChangeDiffer.builder()
        .rules(DiffRules.builder().identityKey("sessions", "token").build()).build()).build();
    a.updated("user", "1", Map.of("sessions", List.of(Map.of("token", "TOKSECRET", "ip", "1.1.1.1"))),
        Map.of("sessions", List.of(Map.of("token", "TOKSECRET", "ip", "2.2.2.2"))));
    assertThat(stored()).doesNotContain("TOKSECRET");
    assertThat(only().changes()).extracting(FieldChange::path).containsExactly("sessions[token=\\[REDACTED\\]].ip");
    assertThat(only().changes().get(0).to().asText()).isEqualTo("2.2.2.2");
  }

  @Test
  void cardNumbersAsKeys_areMasked_andTwoWithTheSameLastDigitsStayTwo() {
    audit.updated("wallet", "w1", Map.of("cards", Map.of(PAN, "primary")), Map.of("cards", Map.of(PAN, "backup")));
    assertThat(stored()).doesNotContain(PAN);
    assertThat(only().changes()).extracting(FieldChange::path).containsExactly("cards.************1111");
    Map<String, Object> cards = new LinkedHashMap<>();
    cards.put(PAN, "a");
    cards.put("5500000000081111", "b"); // Luhn-valid, same last four
    audit.logAction("x", "r", "1", Map.of("cards", cards));
    assertThat(EventJson.toJson(last()).toString()).doesNotContain(PAN, "5500000000081111");
    assertThat(last().metadata().get("cards").size()).isEqualTo(2);
  }

  @Test
  void freeTextFields_labelStatesAndUserAgent_areMasked() {
    audit.appendAuditLog(AuditEvent.builder().action("x").resource(Resource.of("card", "c1").label("Visa " + PAN))
        .fromState("hold " + PAN).toState("ok").request(RequestInfo.builder().userAgent("app/1 card=" + PAN).build()));
    AuditEvent e = only();
    assertThat(stored()).doesNotContain(PAN);
    assertThat(e.resource().label()).isEqualTo("Visa ************1111");
    assertThat(e.request().userAgent()).endsWith("************1111");
  }

  @Test
  void anInvalidIp_isNotEchoedInFullInItsNote() {
    audit.appendAuditLog(event().ipAddress(PAN));
    assertThat(stored()).doesNotContain(PAN);
    assertThat(only().request().ip()).isNull();
  }

  @Test
  void urlCredentials_areRemoved_inThePathAndInAnyText() {
    path("https://bob:p@ssw0rd@db.example/x");
    assertThat(last().request().path()).isEqualTo("https://bob:[REDACTED]@db.example/x");
    path("https://ghp_SECRET@github.com/o/r.git");
    assertThat(last().request().path()).isEqualTo("https://[REDACTED]@github.com/o/r.git");
    audit.logAction("x", "r", "1", Map.of("dbUrl", "postgres://app:hunter2@db/prod",
        "note", "mail ann@example.com, docs at https://example.com/a@b"));
    AuditEvent e = last();
    assertThat(e.metadata().get("dbUrl").asText()).isEqualTo("postgres://app:[REDACTED]@db/prod");
    assertThat(e.metadata().get("note").asText()).as("an @ outside a URL's user info is no credential")
        .isEqualTo("mail ann@example.com, docs at https://example.com/a@b");
  }

  @Test
  void cardNumbers_inOtherLayouts_areMasked() {
    audit.logAction("x", "r", "1", Map.of(
        "a", "4111 1111 1111 1111 123",
        "dots", "4111.1111.1111.1111",
        "nbsp", "4111\u00a01111\u00a01111\u00a01111",
        "two", "4111 1111 1111 1111 5500 0000 0000 0004",
        "ungrouped", "order 41111111111111110"));
    AuditEvent e = only();
    assertThat(e.metadata().get("a").asText()).isEqualTo("**** **** **** 1111 123");
    assertThat(e.metadata().get("dots").asText()).isEqualTo("****.****.****.1111");
    assertThat(e.metadata().get("nbsp").asText()).isEqualTo("****\u00a0****\u00a0****\u00a01111");
    assertThat(e.metadata().get("two").asText()).isEqualTo("**** **** **** 1111 **** **** **** 0004");
    assertThat(e.metadata().get("ungrouped").asText()).as("one run of 17 digits is not searched inside")
        .isEqualTo("order 41111111111111110");
  }

  @Test
  void cardNumbers_inAFormEncodedQuery_areMasked() {
    path("/pay?n=4111+1111+1111+1111&m=4111%201111%201111%201111&x=a+b");
    assertThat(only().request().path()).isEqualTo("/pay?n=****+****+****+1111&m=****+****+****+1111&x=a+b");
  }

  @Test
  void commonSecretKeyNames_areSensitive_andOrdinaryOnesAreNot() {
    RedactionPolicy p = RedactionPolicy.defaults();
    for (String k : List.of("secretKey", "aws_secret_access_key", "accessKey", "tokens", "secrets", "api_keys",
        "cardCvv", "card_cvc", "customerSsn", "passcode", "pin", "otp", "privateKeyPem", "refreshTokens",
        "sessionCookies", "ＰＡＳＳＷＯＲＤ")) {
      assertThat(p.isSensitiveKey(k)).as(k).isTrue();
    }
    for (String k : List.of("secretary", "secretaryName", "name", "status", "accessKeyId", "spin", "shipping",
        "tokenizer", "passenger", "ssnLast4Verified", "pinned", "description", "credentials", "apiKeyId",
        "secretName", "passwordExpiresAt", "totalTokens", "prompt_tokens", "acceptCookies")) {
      assertThat(p.isSensitiveKey(k)).as(k).isFalse();
    }
    assertThat(p.keepKeys("pin").isSensitiveKey("pin")).isFalse();
  }

  @Test
  void hostileText_isRedactedInLinearTime() {
    // many URL starts after one @: none may scan back to the start of the text (quadratic, this
    // input takes minutes; the guard is a denial-of-service bound, not a performance figure)
    String many = "a@" + "://x".repeat(200_000) + " https://u:pw@h/";
    String out = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(10),
        () -> RedactionPolicy.defaults().redactText(many));
    assertThat(out).endsWith(" https://u:[REDACTED]@h/").startsWith("a@://x://x");
  }

  @Test
  void nameValuePairs_asHttpLogsKeepHeaders_haveSensitiveValuesRedacted() {
    audit.logAction("x", "r", "1", Map.of("request", Map.of(
        "headers", List.of(Map.of("name", "Authorization", "value", "Bearer eyJhbGciOi"),
            Map.of("name", "Accept", "value", "application/json")),
        "cookies", List.of(Map.of("name", "JSESSIONID", "value", "A1B2C3")),
        "params", List.of(Map.of("key", "api_key", "value", "k-123", "enabled", true)))));
    AuditEvent e = only();
    assertThat(stored()).doesNotContain("eyJhbGciOi", "A1B2C3", "k-123");
    assertThat(e.metadata().at("/request/headers/1/value").asText()).isEqualTo("application/json");
    assertThat(e.metadata().at("/request/headers/0/name").asText()).isEqualTo("Authorization");
  }

  @Test
  void aChangedSecretHeader_isRedacted_inTheDiff_andAProductNamedLikeASecretIsNot() {
    Map<String, Object> before = Map.of("url", "https://hooks.example/in", "headers", List.of(
        Map.of("name", "Authorization", "value", "Bearer sk_live_OLD"), Map.of("name", "Accept", "value", "a/b")));
    Map<String, Object> after = Map.of("url", "https://hooks.example/in", "headers", List.of(
        Map.of("name", "Authorization", "value", "Bearer sk_live_NEW"), Map.of("name", "Accept", "value", "a/c")));
    audit.updated("Webhook", "w-1", before, after);
    AuditEvent e = only();
    assertThat(stored()).doesNotContain("sk_live_OLD", "sk_live_NEW");
    assertThat(e.changes()).extracting(FieldChange::toString).containsExactly(
        "headers[name=Accept].value: \"a/b\" -> \"a/c\"",
        "headers[name=Authorization].value: \"[REDACTED]\" -> \"[REDACTED]\"");
    // an order line named like a secret is business data
    audit.logAction("x", "r", "1", Map.of("lines", List.of(Map.of("name", "Password Manager Pro", "value", "49.00 USD"),
        Map.of("name", "Secret Santa gift wrap", "value", "4.00 USD"))));
    assertThat(last().metadata().at("/lines/0/value").asText()).isEqualTo("49.00 USD");
    assertThat(last().metadata().at("/lines/1/value").asText()).isEqualTo("4.00 USD");
  }
}

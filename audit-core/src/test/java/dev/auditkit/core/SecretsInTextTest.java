package dev.auditkit.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.auditkit.core.internal.EventJson;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Secrets written into free text, a signed URL's signature and a card number used as a record's id:
 * found by an adopter's walkthrough (2026-12-05), where each was stored as given. Through
 * {@link AuditLog} with the default policy, looking at what the sink received; and the text that
 * must stay as it is.
 */
class SecretsInTextTest {
  private final InMemoryAuditStore store = new InMemoryAuditStore();
  private final AuditLog audit = AuditLog.builder().store(store).build();

  private String note(String text) {
    int before = store.events().size();
    audit.logAction("debug", "job", "j-1", Map.of("note", text));
    assertThat(store.events()).hasSize(before + 1);
    return store.events().get(before).metadata().get("note").asText();
  }

  static Stream<Arguments> secrets() {
    return Stream.of(
        Arguments.of("password=hunter2", "password=[REDACTED]"),
        Arguments.of("login failed: user=ann password=hunter2 ip=1.2.3.4",
            "login failed: user=ann password=[REDACTED] ip=1.2.3.4"),
        Arguments.of("api_key: k-live-1234, retry", "api_key: [REDACTED], retry"),
        Arguments.of("token = abc123", "token = [REDACTED]"),
        Arguments.of("{\"client_secret\":\"s3cr3t\"", "{\"client_secret\":\"[REDACTED]\""),
        Arguments.of("Authorization: Bearer eyJhbGciOi.eyJzdWIi.sig-1", "Authorization: [REDACTED]"),
        Arguments.of("retrying with Bearer S3CRET-bearer-token now", "retrying with Bearer [REDACTED] now"),
        // Authorization and cookie headers: the rest of the line, whatever the scheme or the number of cookies
        Arguments.of("curl -H 'authorization: Basic dXNlcjpwYXNz' /x", "curl -H 'authorization: [REDACTED]"),
        Arguments.of("Authorization: token ghp_16C7e42F292c6912E7710c838347Ae178B4a", "Authorization: [REDACTED]"),
        Arguments.of("Authorization: Digest username=\"bob\", response=\"6629fae4\"", "Authorization: [REDACTED]"),
        Arguments.of("Authorization: Bearer\teyJhbGciOi.eyJzdWIi.sig-1", "Authorization: [REDACTED]"),
        Arguments.of("cookie: a=1; sid=s3cr3tsess\nnext line", "cookie: [REDACTED]\nnext line"),
        Arguments.of("Set-Cookie: sid=s3cr3tsess; Path=/; HttpOnly", "Set-Cookie: [REDACTED]"),
        // header maps as Java prints them (HttpURLConnection.getHeaderFields(), HttpHeaders.map())
        Arguments.of("{Authorization=[Bearer eyJhbGciOi.eyJzdWIi.sig-1], Accept=[application/json]}",
            "{Authorization=[REDACTED], Accept=[application/json]}"),
        // quoting and separators of other languages and of JSON inside a log line
        Arguments.of("body={\\\"password\\\":\\\"hunter2\\\"}", "body={\\\"password\\\":\\\"[REDACTED]\\\"}"),
        Arguments.of("{\"password\"=>\"hunter2\"}", "{\"password\"=>\"[REDACTED]\"}"),
        Arguments.of("['password' => 'hunter2']", "['password' => '[REDACTED]']"),
        Arguments.of("password:\thunter2", "password:\t[REDACTED]"),
        Arguments.of("password\u00a0=\u00a0hunter2", "password\u00a0=\u00a0[REDACTED]"),
        Arguments.of("password=\"hun\\\"ter2\" next", "password=\"[REDACTED]\" next"),
        Arguments.of("spring.datasource.password=s3cret", "spring.datasource.password=[REDACTED]"),
        // a secret right after another value, also where a removed line separator glued two lines
        Arguments.of("otp=123456|password: hunter2", "otp=[REDACTED]|password: [REDACTED]"),
        Arguments.of("otp=123456/password=hunter2", "otp=[REDACTED]password=[REDACTED]"),
        Arguments.of("token=abc\u2029password: hunter2", "token=[REDACTED]: [REDACTED]"),
        Arguments.of("sent Basic dXNlcjpwYXNz to the proxy", "sent Basic [REDACTED] to the proxy"),
        Arguments.of("cfg(newPassword=\"p@ss word\")", "cfg(newPassword=\"[REDACTED]\")"),
        // JSON held in the string is redacted as JSON first: a value is replaced whole, not cut short
        Arguments.of("{\"password\": {\"old\": \"a1\", \"new\": \"b2\"}, \"x\": 1} (sent)",
            "{\"password\":\"[REDACTED]\",\"x\":1} (sent)"),
        // the one over-redaction the rule accepts: the word after a sensitive name
        Arguments.of("password: changed by admin", "password: [REDACTED] by admin"));
  }

  @ParameterizedTest
  @MethodSource("secrets")
  void secretsWrittenIntoText_areRedacted(String text, String expected) {
    assertThat(note(text)).isEqualTo(expected);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "status=paid amount=129.00",
      "meeting at 10:30, room: B",
      "see https://docs.example.com/tokens?page=2",
      "the bearer of this letter",
      "Bearer instrument, Basic membership",
      "tokens_used=1200 totalTokens: 5000 apiKeyId=k-1",
      "gen_ai.usage.input_tokens=1200 usage.total_tokens=1532",
      "Basic 12-month subscription, Basic HD-streaming plan, Bearer Logistics-GmbH",
      "Signature: received by J. Doe; sig: 3 pages",
      "password=",
      "password: null, {\"token\": null}",
      "password=[REDACTED] already",
  })
  void ordinaryText_staysAsItIs(String text) {
    assertThat(note(text)).isEqualTo(text);
  }

  @Test
  void theRuleReachesEveryTextTheEventHolds() {
    audit.appendAuditLog(AuditEvent.builder().action("x").resource(Resource.of("job", "j-1").label("reset token=t-99"))
        .fromState("state password=a1").toState("ok")
        .request(RequestInfo.builder().userAgent("agent/1.0 (token=ua-secret-9)").build())
        .metadata(Map.of("nested", Map.of("lines", java.util.List.of("x", "Bearer abcdef.123456.xyz789")))));
    String json = EventJson.toJson(store.events().get(0)).toString();
    assertThat(json).doesNotContain("t-99", "a1\"", "ua-secret-9", "abcdef.123456.xyz789");
  }

  @Test
  void signedUrlParameters_areRedacted() {
    String url = "https://acct.blob.core.windows.net/c/f.pdf?sv=2024-01-01&se=2026-12-06&sig=S3CRET%2Bsig&sp=r";
    assertThat(note("download " + url)).isEqualTo("download "
        + "https://acct.blob.core.windows.net/c/f.pdf?sv=2024-01-01&se=2026-12-06&sig=[REDACTED]&sp=r");
    String aws = "https://b.s3.amazonaws.com/k?X-Amz-Credential=AKIA123%2F20261205&X-Amz-Signature=abc123&X-Amz-Expires=60";
    assertThat(note(aws)).isEqualTo(
        "https://b.s3.amazonaws.com/k?X-Amz-Credential=[REDACTED]&X-Amz-Signature=[REDACTED]&X-Amz-Expires=60");
    audit.logAction("share", "file", "f-1", Map.of("signature", "c2lnbmF0dXJl"));
    assertThat(store.events().get(store.events().size() - 1).metadata().get("signature").asText())
        .isEqualTo(RedactionPolicy.REDACTED);
  }

  /**
   * Ids are the record's identity and are not masked, even when they pass for a card number: one
   * 13-digit order id in ten starting with 2 to 6 does (a review found Shopify-style ids masked and
   * merged). A host that keys records by card number must not: PCI DSS forbids storing it anyway.
   */
  @Test
  void recordIds_areNeverMasked() {
    audit.logAction("order.paid", "Order", "5523488063625", null); // Luhn-valid, 13 digits
    audit.logAction("order.paid", "Order", "1234567890123456789", null);
    assertThat(store.events()).extracting(e -> e.resource().id()).containsExactly("5523488063625", "1234567890123456789");
  }

  @Test
  void theCredentialRule_followsTheAuthorizationKey() {
    InMemoryAuditStore kept = new InMemoryAuditStore();
    AuditLog lenient = AuditLog.builder().store(kept).redaction(RedactionPolicy.defaults().keepKeys("authorization"))
        .build();
    lenient.logAction("debug", "job", "j-1", Map.of("note", "Bearer S3CRET-bearer-token"));
    assertThat(kept.events().get(0).metadata().get("note").asText()).isEqualTo("Bearer S3CRET-bearer-token");
    InMemoryAuditStore none = new InMemoryAuditStore();
    AuditLog.builder().store(none).redaction(RedactionPolicy.none()).build()
        .logAction("debug", "job", "j-1", Map.of("note", "password=hunter2 Bearer S3CRET-bearer-token"));
    assertThat(none.events().get(0).metadata().get("note").asText()).isEqualTo("password=hunter2 Bearer S3CRET-bearer-token");
  }

  @Test
  void hostileText_isScannedInLinearTime() {
    // under the 64 KiB metadata limit, beyond which the value is replaced anyway
    String colons = "a".repeat(60) + ":".repeat(50_000);
    String equals = "x password=".repeat(2_500);
    String bearers = "Bearer ".repeat(7_000);
    assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
      assertThat(note(colons)).startsWith("a");
      assertThat(note(equals)).startsWith("x password=[REDACTED] password=[REDACTED] password=");
      assertThat(note(bearers)).startsWith("Bearer");
    });
  }
}

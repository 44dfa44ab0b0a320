package dev.auditkit.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.auditkit.core.internal.CardNumbers;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RedactionPolicyTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Keys named in the issue; every spelling variant of them must be redacted. */
  static final String[] DEFAULT_KEYS = {"password", "passwd", "pwd", "secret", "token", "access_token", "refresh_token",
      "api_key", "apikey", "authorization", "cookie", "set-cookie", "cvv", "cvc", "card_number", "pan", "ssn",
      "private_key", "client_secret"};

  private final RedactionPolicy policy = RedactionPolicy.defaults();

  private static JsonNode json(String s) {
    try {
      return JSON.readTree(s);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** A spelling of a snake_case key: camelCase, kebab-case, UPPER_SNAKE, Title Case, or as is. */
  static String variant(String key, Random r) {
    String[] words = key.split("[_-]");
    StringBuilder sb = new StringBuilder();
    switch (r.nextInt(5)) {
      case 0 -> {
        sb.append(words[0]);
        for (int i = 1; i < words.length; i++) {
          sb.append(Character.toUpperCase(words[i].charAt(0))).append(words[i].substring(1));
        }
      }
      case 1 -> sb.append(String.join("-", words));
      case 2 -> sb.append(String.join("_", words).toUpperCase(Locale.ROOT));
      case 3 -> {
        for (String w : words) {
          sb.append(Character.toUpperCase(w.charAt(0))).append(w.substring(1)).append(' ');
        }
        sb.setLength(sb.length() - 1);
      }
      default -> sb.append(key);
    }
    return sb.toString();
  }

  @Test
  void defaultKeys_matchIgnoringCaseAndSeparators() {
    for (String k : new String[] {"api_key", "api-key", "apiKey", "API_KEY", "Api Key", "X-API-KEY", "Authorization",
        "Set-Cookie", "cardNumber", "CARD-NUMBER", "newPassword", "password_hash", "csrfToken", "clientSecret", "SSN"}) {
      assertThat(policy.isSensitiveKey(k)).as(k).isTrue();
    }
    for (String k : new String[] {"name", "status", "tokenType", "secretary", "panel", "expansion", "passenger", "", null}) {
      assertThat(policy.isSensitiveKey(k)).as(String.valueOf(k)).isFalse();
    }
  }

  @Test
  void sensitiveValues_areRedactedAtAnyDepth_insideArraysToo_andNullStaysNull() {
    JsonNode in = json("{\"user\":\"ann\",\"Password\":\"hunter2\",\"profile\":{\"apiKey\":{\"v\":1},\"tags\":[{\"token\":\"t1\"},"
        + "{\"token\":null}]},\"cookie\":[\"a\",\"b\"]}");
    JsonNode out = policy.redact(in);
    assertThat(out.toString()).isEqualTo("{\"user\":\"ann\",\"Password\":\"[REDACTED]\",\"profile\":{\"apiKey\":\"[REDACTED]\","
        + "\"tags\":[{\"token\":\"[REDACTED]\"},{\"token\":null}]},\"cookie\":\"[REDACTED]\"}");
    assertThat(in.get("Password").asText()).as("the argument is not changed").isEqualTo("hunter2");
    assertThat(policy.redact(null)).isNull();
  }

  @Test
  void property_noDefaultSensitiveValueSurvives_atAnyDepth() {
    Random r = new Random(31337L);
    for (int i = 0; i < 400; i++) {
      List<String> planted = new ArrayList<>();
      JsonNode doc = plant(JSON.valueToTree(ChangeDifferPropertyTest.map(r, 0)), r, planted, 0);
      String text = policy.redact(doc).toString();
      for (String secret : planted) {
        assertThat(text).as("case %d: %s", i, doc).doesNotContain(secret);
      }
      assertThat(planted.isEmpty() || text.contains(RedactionPolicy.REDACTED)).isTrue();
    }
  }

  /** Adds sensitive keys with unique secret values (strings, numbers, objects) anywhere in the tree. */
  private static JsonNode plant(JsonNode node, Random r, List<String> planted, int depth) {
    if (node instanceof ObjectNode o) {
      List<String> names = new ArrayList<>();
      o.fieldNames().forEachRemaining(names::add);
      for (String n : names) {
        o.set(n, plant(o.get(n), r, planted, depth + 1));
      }
      if (r.nextInt(3) == 0) {
        String secret = "S3CR3T-" + planted.size() + "-" + r.nextInt(1_000_000);
        planted.add(secret);
        String key = variant(DEFAULT_KEYS[r.nextInt(DEFAULT_KEYS.length)], r);
        switch (r.nextInt(3)) {
          case 0 -> o.put(key, secret);
          case 1 -> o.putObject(key).put("inner", secret);
          default -> o.putArray(key).add(secret);
        }
      }
      if (depth < 3 && r.nextInt(4) == 0) {
        ArrayNode arr = o.putArray("list" + depth);
        ObjectNode item = arr.addObject();
        String secret = "S3CR3T-" + planted.size() + "-arr";
        planted.add(secret);
        item.put(variant(DEFAULT_KEYS[r.nextInt(DEFAULT_KEYS.length)], r), secret);
      }
    } else if (node instanceof ArrayNode a) {
      for (int i = 0; i < a.size(); i++) {
        a.set(i, plant(a.get(i), r, planted, depth + 1));
      }
    }
    return node;
  }

  @Test
  void hostAdditionsAndExemptions() {
    RedactionPolicy p = RedactionPolicy.defaults().maskKeys("gateCode").keepKeys("pan", "csrf_token");
    assertThat(p.isSensitiveKey("gate-code")).isTrue();
    assertThat(p.isSensitiveKey("GATE_CODE")).isTrue();
    assertThat(p.isSensitiveKey("pan")).isFalse();
    assertThat(p.isSensitiveKey("csrfToken")).as("exempt from the suffix rule").isFalse();
    assertThat(p.isSensitiveKey("password")).isTrue();
    assertThat(RedactionPolicy.defaults().isSensitiveKey("gateCode")).as("policies are immutable").isFalse();
    assertThat(RedactionPolicy.none().isSensitiveKey("password")).isFalse();
    assertThat(RedactionPolicy.none().maskKeys("password").isSensitiveKey("PASSWORD")).isTrue();
    assertThat(RedactionPolicy.none().maskKeys("password").isSensitiveKey("newPassword")).as("no suffix rules in none()").isFalse();
    assertThat(RedactionPolicy.defaults().keepKeys("pan").maskKeys("pan").isSensitiveKey("pan")).isTrue();
    assertThat(RedactionPolicy.none().redactText("4111 1111 1111 1111")).isEqualTo("4111 1111 1111 1111");
    assertThat(RedactionPolicy.defaults().detectCardNumbers(false).redactText("4111111111111111")).isEqualTo("4111111111111111");
  }

  @Test
  void badKeys_areRefused() {
    assertThatThrownBy(() -> policy.maskKeys((String[]) null)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> policy.maskKeys((String) null)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> policy.maskKeys(" ")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> policy.maskKeys("--__")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("letter or digit");
    assertThatThrownBy(() -> policy.keepKeys("k".repeat(300))).isInstanceOf(IllegalArgumentException.class);
    assertThat(policy.maskKeys("gate\u0000code").isSensitiveKey("gateCode")).as("control characters are separators").isTrue();
    assertThat(policy.isSensitiveKey("pass\u200bword")).as("invisible characters do not hide a key").isTrue();
  }

  // ---------------------------------------------------------------- card numbers

  static String withCheckDigit(String body) {
    for (int d = 0; d <= 9; d++) {
      if (CardNumbers.luhn(body + d)) {
        return body + d;
      }
    }
    throw new AssertionError();
  }

  @Test
  void luhn_knownNumbers() {
    for (String n : new String[] {"4111111111111111", "5555555555554444", "378282246310005", "6011111111111117",
        "3530111333300000", "4222222222222", "79927398713"}) {
      assertThat(CardNumbers.luhn(n)).as(n).isTrue();
    }
    for (String n : new String[] {"4111111111111112", "1234567812345678", "79927398710", "", "41a1"}) {
      assertThat(CardNumbers.luhn(n)).as(n).isFalse();
    }
  }

  @Test
  void cardNumbersInText_keepTheLastFour_andTheirSeparators() {
    assertThat(policy.redactText("card 4111 1111 1111 1111 ok")).isEqualTo("card **** **** **** 1111 ok");
    assertThat(policy.redactText("4111-1111-1111-1111")).isEqualTo("****-****-****-1111");
    assertThat(policy.redactText("amex 378282246310005.")).isEqualTo("amex ***********0005.");
    assertThat(policy.redactText("two: 5555555555554444 and 4222222222222")).isEqualTo("two: ************4444 and *********2222");
    assertThat(policy.redactText("order 12345, 4111 1111 1111 1111")).isEqualTo("order 12345, **** **** **** 1111");
    assertThat(policy.redactText(null)).isNull();
  }

  @Test
  void cardNumbers_falsePositivesAreAvoided() {
    String[] untouched = {
      "4111111111111112", // Luhn fails
      "411111111111", // 12 digits
      "41111111111111111110", // 20 digits, one run
      withCheckDigit("176381234567"), // epoch millis: starts with 1, not a card network
      withCheckDigit("90000000000000"), // starts with 9
      "4111  1111 1111 1111", // double space breaks the run
      "ref 1234 5865 2595 5842 3316 4", // a longer run holding a Luhn-valid window is not searched
      "phone +1 407 555 1234", "id 2026-11-23", "v1.2.3", ""};
    for (String s : untouched) {
      assertThat(policy.redactText(s)).as(s).isEqualTo(s);
    }
  }

  @Test
  void property_everyLuhnValidCardOf13To19Digits_isMasked_andInvalidOnesAreNot() {
    Random r = new Random(4242L);
    for (int i = 0; i < 500; i++) {
      int len = 13 + r.nextInt(7);
      StringBuilder body = new StringBuilder().append(2 + r.nextInt(5));
      while (body.length() < len - 1) {
        body.append(r.nextInt(10));
      }
      String card = withCheckDigit(body.toString());
      String wrong = card.substring(0, len - 1) + (char) ('0' + (card.charAt(len - 1) - '0' + 1 + r.nextInt(9)) % 10);
      String sep = r.nextBoolean() ? "" : (r.nextBoolean() ? " " : "-");
      String grouped = group(card, sep);
      String text = "paid with " + grouped + " today";
      String masked = policy.redactText(text);
      assertThat(masked).as("case %d: %s", i, text).doesNotContain(grouped).startsWith("paid with ").endsWith(" today");
      assertThat(masked.replaceAll("[^0-9]", "")).isEqualTo(card.substring(len - 4));
      String invalid = "paid with " + group(wrong, sep) + " today";
      String out = policy.redactText(invalid);
      if (sep.isEmpty() || len <= 16) {
        assertThat(out).as("case %d Luhn-invalid", i).isEqualTo(invalid);
      } else if (!out.equals(invalid)) {
        // a grouped run longer than a card: its first 16 digits (four whole groups) may be one,
        // followed by more digits (a CVV), and then only those are masked
        assertThat(CardNumbers.luhn(wrong.substring(0, 16))).as("case %d", i).isTrue();
        assertThat(out).isEqualTo("paid with " + group(card.substring(0, 0) + "************" + wrong.substring(12), sep)
            + " today");
      }
    }
  }

  private static String group(String digits, String sep) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < digits.length(); i++) {
      if (i > 0 && i % 4 == 0) {
        sb.append(sep);
      }
      sb.append(digits.charAt(i));
    }
    return sb.toString();
  }

  @Test
  void cardNumbersInJsonStrings_areMasked_numbersAreNot() {
    JsonNode out = policy.redact(json("{\"note\":\"card 4111111111111111\",\"list\":[\"5555 5555 5555 4444\"],\"id\":4111111111111111}"));
    assertThat(out.get("note").asText()).isEqualTo("card ************1111");
    assertThat(out.get("list").get(0).asText()).isEqualTo("**** **** **** 4444");
    assertThat(out.get("id").asLong()).isEqualTo(4111111111111111L);
  }

  // ---------------------------------------------------------------- URLs

  @Test
  void paths_haveSensitiveQueryAndFragmentValuesRedacted() {
    assertThat(policy.redactPath("/reset?token=abc&email=a@x.io")).isEqualTo("/reset?token=[REDACTED]&email=a@x.io");
    assertThat(policy.redactPath("/cb?API-KEY=k1&x=1&api%5Fkey=k2")).isEqualTo("/cb?API-KEY=[REDACTED]&x=1&api%5Fkey=[REDACTED]");
    assertThat(policy.redactPath("/cb#access_token=tok&state=s")).isEqualTo("/cb#access_token=[REDACTED]&state=s");
    assertThat(policy.redactPath("https://bob:pw@host/p?q=1")).isEqualTo("https://bob:[REDACTED]@host/p?q=1");
    assertThat(policy.redactPath("/pay?note=4111111111111111")).isEqualTo("/pay?note=************1111");
    assertThat(policy.redactPath("/cards/4111111111111111")).isEqualTo("/cards/************1111");
    assertThat(policy.redactPath("/plain/path")).isEqualTo("/plain/path");
    assertThat(policy.redactPath("/a?&&password&=x&%zz=1")).isEqualTo("/a?&&password&=x&%zz=1");
    assertThat(policy.redactPath(null)).isNull();
  }
}

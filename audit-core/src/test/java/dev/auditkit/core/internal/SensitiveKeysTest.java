package dev.auditkit.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.text.Normalizer;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SensitiveKeysTest {

  /**
   * The definition: compatibility forms folded (NFKC: fullwidth and mathematical letters read as
   * plain ones), then each letter or digit code point in lower case (as one-code-point strings), the
   * rest dropped.
   */
  private static String byDefinition(String key) {
    StringBuilder sb = new StringBuilder();
    Normalizer.normalize(key, Normalizer.Form.NFKC).codePoints().filter(Character::isLetterOrDigit)
        .forEach(cp -> sb.append(new String(Character.toChars(cp)).toLowerCase(Locale.ROOT)));
    return sb.toString();
  }

  @Test
  void spellingsOfOneKey_normalizeAlike() {
    for (String k : new String[] {"api_key", "api-key", "apiKey", "API_KEY", "Api Key", "api.key", "api\u0000key",
        "api\tkey"}) {
      assertThat(SensitiveKeys.normalize(k)).as(k).isEqualTo("apikey");
    }
    assertThat(SensitiveKeys.normalize("password")).as("an already normal key is not copied").isSameAs("password");
    assertThat(SensitiveKeys.normalize("")).isEmpty();
    assertThat(SensitiveKeys.normalize("__--  ")).isEmpty();
  }

  @Test
  void nonAsciiLettersAndDigits_areKept_inLowerCase() {
    assertThat(SensitiveKeys.normalize("Pässwort")).isEqualTo("pässwort");
    assertThat(SensitiveKeys.normalize("ПАРОЛЬ")).isEqualTo("пароль");
    assertThat(SensitiveKeys.normalize("key\uD835\uDC00x")).isEqualTo(byDefinition("key\uD835\uDC00x")); // math bold A
    assertThat(SensitiveKeys.normalize("a\uD800b")).isEqualTo("ab"); // a lone surrogate is dropped
    assertThat(SensitiveKeys.normalize("İd")).isEqualTo(byDefinition("İd"));
    assertThat(SensitiveKeys.normalize("ＰＡＳＳＷＯＲＤ")).as("fullwidth").isEqualTo("password");
    assertThat(SensitiveKeys.normalize("key\uD835\uDC00x")).as("math bold A").isEqualTo("keyax");
    assertThat(SensitiveKeys.normalize("ﬁle")).as("a ligature").isEqualTo("file");
  }

  @Test
  void property_matchesTheDefinition_onRandomKeys() {
    Random r = new Random(20261204);
    char[] pool = "aZz09_- .\t\u0000\u007fÄéßİıΣσПж\uD835\uDC00\uD800\uDC00\u0660\u00a0".toCharArray();
    for (int i = 0; i < 20_000; i++) {
      StringBuilder sb = new StringBuilder();
      int len = r.nextInt(12);
      for (int j = 0; j < len; j++) {
        sb.append(r.nextInt(3) == 0 ? pool[r.nextInt(pool.length)] : (char) ('a' + r.nextInt(26)));
      }
      String key = sb.toString();
      assertThat(SensitiveKeys.normalize(key)).as(key).isEqualTo(byDefinition(key));
    }
  }
}

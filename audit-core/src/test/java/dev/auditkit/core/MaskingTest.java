package dev.auditkit.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.Test;

class MaskingTest {
  @Test
  void phone_northAmerican_keepsAreaCodeAndLastFour() {
    assertThat(Masking.phone("(407) 555-1234")).isEqualTo("(407) ***-1234");
    assertThat(Masking.phone("407.555.1234")).isEqualTo("(407) ***-1234");
    assertThat(Masking.phone("+1 407 555 1234")).isEqualTo("(407) ***-1234");
    assertThat(Masking.phone("1-407-555-1234")).isEqualTo("(407) ***-1234");
  }

  @Test
  void phone_international_keepsLastFour() {
    assertThat(Masking.phone("+44 20 7946 0958")).isEqualTo("+********0958");
    assertThat(Masking.phone("+49 30 1234567")).isEqualTo("+*******4567");
    assertThat(Masking.phone("5551234")).isEqualTo("***1234");
  }

  @Test
  void phone_badInput_isFullyMaskedNeverEchoed() {
    assertThat(Masking.phone(null)).isNull();
    assertThat(Masking.phone("")).isEqualTo(Masking.FULLY_MASKED);
    assertThat(Masking.phone("call me")).isEqualTo(Masking.FULLY_MASKED);
    assertThat(Masking.phone("12345")).isEqualTo(Masking.FULLY_MASKED);
    assertThat(Masking.phone("1".repeat(40))).isEqualTo(Masking.FULLY_MASKED);
    assertThat(Masking.phone("9".repeat(5000))).isEqualTo(Masking.FULLY_MASKED);
    assertThat(Masking.phone("407\u0000555\n1234")).isEqualTo("(407) ***-1234");
  }

  @Test
  void email_keepsFirstCharacterAndDomain() {
    assertThat(Masking.email("john.doe@example.com")).isEqualTo("j***@example.com");
    assertThat(Masking.email(" a@x.io ")).isEqualTo("a***@x.io");
    assertThat(Masking.email("😀smile@example.com")).isEqualTo("😀***@example.com");
  }

  @Test
  void email_badInput_isFullyMasked() {
    assertThat(Masking.email(null)).isNull();
    for (String bad : new String[] {"", "john", "@example.com", "john@", "a@b@c", "jo hn@x.io", "jo\u0000hn@x.io",
        "a@" + "x".repeat(400)}) {
      assertThat(Masking.email(bad)).as(bad).isEqualTo(Masking.FULLY_MASKED);
    }
  }

  @Test
  void keepLast_masksAllButTheLastN() {
    assertThat(Masking.keepLast("12345678", 4)).isEqualTo("****5678");
    assertThat(Masking.keepLast("abc", 0)).isEqualTo("***");
    assertThat(Masking.keepLast("1234", 4)).as("nothing would stay hidden").isEqualTo("****");
    assertThat(Masking.keepLast("", 4)).isEqualTo("");
    assertThat(Masking.keepLast("a😀b😀", 2)).isEqualTo("**b😀");
    assertThat(Masking.keepLast(null, 4)).isNull();
    assertThat(Masking.keepLast("x".repeat(2000), 4)).isEqualTo(Masking.FULLY_MASKED);
    assertThat(Masking.keepLast("abc\u0000de", 2)).isEqualTo("****de");
    assertThat(Masking.keepLast("abcd\u0007e", 2)).isEqualTo(Masking.FULLY_MASKED);
    assertThatThrownBy(() -> Masking.keepLast("x", -1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void property_maskedOutputsNeverRevealMoreThanTheirShape() {
    Random r = new Random(808L);
    for (int i = 0; i < 300; i++) {
      long n = 2_000_000_000L + (long) (r.nextDouble() * 7_000_000_000L);
      String digits = Long.toString(n);
      String phone = "(" + digits.substring(0, 3) + ") " + digits.substring(3, 6) + "-" + digits.substring(6);
      assertThat(Masking.phone(phone)).isEqualTo("(" + digits.substring(0, 3) + ") ***-" + digits.substring(6));
      String local = "u" + Long.toHexString(r.nextLong());
      assertThat(Masking.email(local + "@d" + i + ".example")).isEqualTo("u***@d" + i + ".example");
      String v = Long.toString(Math.abs(r.nextLong()));
      int keep = r.nextInt(6);
      String masked = Masking.keepLast(v, keep);
      assertThat(masked).hasSameSizeAs(v);
      if (v.length() > keep) {
        assertThat(masked).endsWith(v.substring(v.length() - keep)).startsWith("*".repeat(v.length() - keep));
      }
    }
  }
}

package dev.auditkit.core;

/**
 * Display masking for values a viewer may see partly: phone numbers, e-mail addresses, account
 * numbers. Every helper returns null for null and never echoes input it cannot parse: such input
 * comes back as {@link #FULLY_MASKED}.
 */
public final class Masking {
  /** What a value that cannot be masked partly reads. */
  public static final String FULLY_MASKED = "***";

  private static final int MAX_INPUT = 1024;

  private Masking() {}

  /**
   * A phone number with all but its last four digits hidden. North American numbers (10 digits,
   * or 11 starting with 1) read {@code (407) ***-1234}, keeping the area code; other numbers with
   * at least 7 digits read {@code +*******1234} (the {@code +} only when the input had one).
   * Anything with fewer than 7 digits, or over 1024 characters, is {@link #FULLY_MASKED}.
   */
  public static String phone(String phone) {
    if (phone == null) {
      return null;
    }
    if (phone.length() > MAX_INPUT) {
      return FULLY_MASKED;
    }
    StringBuilder digits = new StringBuilder(16);
    for (int i = 0; i < phone.length(); i++) {
      char c = phone.charAt(i);
      if (c >= '0' && c <= '9') {
        digits.append(c);
      }
    }
    String d = digits.toString();
    if (d.length() == 11 && d.charAt(0) == '1') {
      d = d.substring(1);
    }
    boolean plus = phone.strip().startsWith("+");
    if (d.length() == 10 && (!plus || phone.strip().startsWith("+1"))) {
      return "(" + d.substring(0, 3) + ") ***-" + d.substring(6);
    }
    if (digits.length() < 7 || digits.length() > 15) {
      return FULLY_MASKED;
    }
    String all = digits.toString();
    return (plus ? "+" : "") + "*".repeat(all.length() - 4) + all.substring(all.length() - 4);
  }

  /**
   * An e-mail address with its local part reduced to the first character: {@code j***@example.com}.
   * Anything that is not a plausible address (no single {@code @}, an empty side, whitespace or
   * control characters, over 320 characters) is {@link #FULLY_MASKED}.
   */
  public static String email(String email) {
    if (email == null) {
      return null;
    }
    String e = email.strip();
    int at = e.indexOf('@');
    if (e.length() > AuditLimits.EMAIL_LENGTH || at <= 0 || at != e.lastIndexOf('@') || at == e.length() - 1) {
      return FULLY_MASKED;
    }
    for (int i = 0; i < e.length(); i++) {
      char c = e.charAt(i);
      if (c <= ' ' || Character.isISOControl(c) || Character.isWhitespace(c)) {
        return FULLY_MASKED;
      }
    }
    return e.substring(0, e.offsetByCodePoints(0, 1)) + "***" + e.substring(at);
  }

  /**
   * Every character but the last {@code n} replaced by {@code *}: {@code keepLast("12345678", 4)}
   * is {@code ****5678}. Counts Unicode code points. When the value has {@code n} characters or
   * fewer nothing would stay hidden, so it is masked entirely ({@code "****"} for 4 characters).
   *
   * @throws IllegalArgumentException when {@code n} is negative
   */
  public static String keepLast(String value, int n) {
    if (n < 0) {
      throw new IllegalArgumentException("n must not be negative: " + n);
    }
    if (value == null) {
      return null;
    }
    if (value.length() > MAX_INPUT) {
      return FULLY_MASKED;
    }
    int count = value.codePointCount(0, value.length());
    if (count <= n) {
      return "*".repeat(count);
    }
    int keepFrom = value.offsetByCodePoints(0, count - n);
    String kept = value.substring(keepFrom);
    for (int i = 0; i < kept.length(); i++) {
      if (Character.isISOControl(kept.charAt(i))) {
        return FULLY_MASKED;
      }
    }
    return "*".repeat(count - n) + kept;
  }
}

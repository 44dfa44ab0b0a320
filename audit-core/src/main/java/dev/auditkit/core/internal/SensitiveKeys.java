package dev.auditkit.core.internal;

import java.util.Locale;
import java.util.Set;

/** Key normalisation and the default list of keys whose values are secrets. */
public final class SensitiveKeys {
  /** Matched exactly after {@link #normalize}. */
  public static final Set<String> DEFAULT_EXACT = Set.of(
      "password", "passwd", "pwd", "passphrase", "secret", "clientsecret",
      "token", "accesstoken", "refreshtoken", "idtoken", "sessiontoken", "sessionid", "jsessionid",
      "apikey", "xapikey", "privatekey", "authorization", "proxyauthorization",
      "cookie", "setcookie", "cvv", "cvv2", "cvc", "cvc2", "securitycode",
      "cardnumber", "creditcardnumber", "pan", "ssn", "socialsecuritynumber");

  /** A normalised key ending in one of these is sensitive too ({@code newPassword}, {@code csrfToken}). */
  public static final Set<String> DEFAULT_SUFFIXES = Set.of(
      "password", "passwd", "secret", "token", "apikey", "privatekey", "authorization", "cookie",
      "cardnumber", "passphrase");

  private SensitiveKeys() {}

  /**
   * Lower case, letters and digits only: {@code api-key}, {@code apiKey}, {@code API_KEY} and
   * {@code api key} all become {@code apikey}.
   */
  public static String normalize(String key) {
    StringBuilder sb = null;
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      boolean plain = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
      if (!plain && sb == null) {
        sb = new StringBuilder(key.length());
        sb.append(key, 0, i);
      }
      if (sb != null && !plain) {
        int cp = key.codePointAt(i);
        if (Character.isLetterOrDigit(cp)) {
          sb.append(new String(Character.toChars(cp)).toLowerCase(Locale.ROOT));
        }
        if (Character.charCount(cp) == 2) {
          i++;
        }
      } else if (sb != null) {
        sb.append(c);
      }
    }
    return sb == null ? key : sb.toString();
  }
}

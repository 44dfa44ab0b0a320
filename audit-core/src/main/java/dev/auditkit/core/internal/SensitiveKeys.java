package dev.auditkit.core.internal;

import java.text.Normalizer;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Key normalisation and the default list of keys whose values are secrets. */
public final class SensitiveKeys {
  /** Matched exactly after {@link #normalize}. */
  public static final Set<String> DEFAULT_EXACT = Set.of(
      "password", "passwd", "pwd", "passphrase", "passcode", "secret", "secrets", "clientsecret",
      "token", "tokens", "accesstoken", "refreshtoken", "idtoken", "sessiontoken", "sessionid", "jsessionid",
      "apikey", "xapikey", "accesskey", "privatekey", "authorization", "proxyauthorization",
      "cookie", "cookies", "setcookie", "cvv", "cvv2", "cvc", "cvc2", "securitycode", "pin", "otp",
      "cardnumber", "creditcardnumber", "pan", "ssn", "socialsecuritynumber",
      // signed URLs: the signature and credential parameters of Azure SAS, AWS and Google Cloud
      "sig", "signature", "xamzsignature", "xamzcredential", "xgoogsignature", "xgoogcredential");

  /** A normalised key ending in one of these is sensitive too ({@code newPassword}, {@code csrfToken}). */
  public static final Set<String> DEFAULT_SUFFIXES = Set.of(
      "password", "passwd", "secret", "secrets", "token", "tokens", "apikey", "apikeys", "accesskey", "secretkey",
      "privatekey", "authorization", "cookie", "cookies", "cardnumber", "passphrase", "passcode",
      "cvv", "cvv2", "cvc", "cvc2", "securitycode", "ssn");

  /**
   * A normalised key holding one of these anywhere is sensitive too ({@code privateKeyPem},
   * {@code awsSecretAccessKey}), with the defaults; {@code secret} not inside {@code secretary},
   * and not a key that ends in one of {@link #NAMING_TAILS}.
   */
  static final List<String> DEFAULT_WORDS = List.of("password", "passwd", "secret", "privatekey", "apikey");

  /**
   * Endings of keys that name or describe a secret rather than hold it ({@code apiKeyId},
   * {@code secretName}, {@code passwordExpiresAt}): the words rule leaves them alone (an exact or
   * suffix match still counts).
   */
  static final List<String> NAMING_TAILS = List.of("id", "ids", "name", "names", "arn", "prefix", "last4", "type",
      "count", "fingerprint", "version", "status", "expiresat", "createdat", "rotatedat");

  private SensitiveKeys() {}

  /**
   * Keys the suffix rule would match that hold no secret: counts of language-model tokens and
   * cookie-consent flags. The defaults leave them alone.
   */
  public static final Set<String> DEFAULT_NOT_SECRET = Set.of(
      "totaltokens", "prompttokens", "completiontokens", "inputtokens", "outputtokens", "maxtokens", "cachedtokens",
      "reasoningtokens", "usedtokens", "remainingtokens", "numtokens",
      "acceptcookies", "allowcookies", "rejectcookies", "blockcookies", "enablecookies", "disablecookies");

  /** Whether a normalised key holds one of {@link #DEFAULT_WORDS} and does not end in a {@link #NAMING_TAILS naming tail}. */
  public static boolean holdsSensitiveWord(String normalised) {
    for (String tail : NAMING_TAILS) {
      if (normalised.endsWith(tail) && normalised.length() > tail.length()) {
        return false;
      }
    }
    for (String w : DEFAULT_WORDS) {
      int at = normalised.indexOf(w);
      while (at >= 0) {
        if (!(w.equals("secret") && normalised.startsWith("secretar", at))) {
          return true;
        }
        at = normalised.indexOf(w, at + 1);
      }
    }
    return false;
  }

  /**
   * Lower case, letters and digits only: {@code api-key}, {@code apiKey}, {@code API_KEY} and
   * {@code api key} all become {@code apikey}.
   */
  public static String normalize(String key) {
    int n = key.length();
    int i = 0;
    while (i < n && isPlain(key.charAt(i))) {
      i++;
    }
    if (i == n) {
      return key; // already normal: most keys are lower case
    }
    for (int j = i; j < n; j++) {
      if (key.charAt(j) >= 0x80) { // compatibility forms (fullwidth ＰＡＳＳＷＯＲＤ, ligatures) read as plain letters
        String nfkc = Normalizer.normalize(key, Normalizer.Form.NFKC);
        if (!nfkc.equals(key)) {
          return normalize(nfkc);
        }
        break;
      }
    }
    StringBuilder sb = new StringBuilder(n);
    sb.append(key, 0, i);
    for (; i < n; i++) {
      char c = key.charAt(i);
      if (isPlain(c)) {
        sb.append(c);
      } else if (c >= 'A' && c <= 'Z') {
        sb.append((char) (c + ('a' - 'A')));
      } else if (c >= 0x80) {
        int cp = key.codePointAt(i);
        if (Character.isLetterOrDigit(cp)) {
          sb.append(new String(Character.toChars(cp)).toLowerCase(Locale.ROOT));
        }
        if (Character.charCount(cp) == 2) {
          i++;
        }
      } // other ASCII (separators, punctuation, controls) is dropped
    }
    return sb.toString();
  }

  private static boolean isPlain(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
  }
}

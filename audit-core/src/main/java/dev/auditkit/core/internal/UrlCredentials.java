package dev.auditkit.core.internal;

/**
 * Removes credentials from URLs in text: the password of {@code scheme://user:password@host}, and
 * the user part of an http(s) URL whole, {@code https://token@host} (GitHub and others take a token
 * as the user name; {@code ssh://git@host} keeps its user).
 * The user info ends at the last {@code @} before the URL's path, query or fragment, so a password
 * that holds an unencoded {@code @} goes whole. Running it again changes nothing.
 */
public final class UrlCredentials {
  /** What removed credentials read (as {@code RedactionPolicy.REDACTED}). */
  static final String REDACTED = "[REDACTED]";

  private UrlCredentials() {}

  /** {@code text} with the credentials of every URL in it removed; the same instance when there are none. */
  public static String redact(String text) {
    if (text == null || text.indexOf('@') < 0) {
      return text;
    }
    int scheme = text.indexOf("://");
    if (scheme < 0) {
      return text;
    }
    StringBuilder out = null;
    int copied = 0; // text before this index is in out
    while (scheme >= 0) {
      int start = scheme + 3;
      int end = start;
      while (end < text.length() && !endsAuthority(text.charAt(end))) {
        end++;
      }
      boolean web = isWeb(text, scheme);
      int at = end - 1; // the last @ of this authority (looked for within it only: linear in the text)
      while (at >= start && text.charAt(at) != '@') {
        at--;
      }
      if (at >= start) {
        int colon = start;
        while (colon < at && text.charAt(colon) != ':') {
          colon++;
        }
        // "user:" stays; a token as the user of an http(s) URL does not (ssh://git@host keeps its user)
        int keep = colon < at ? colon + 1 : web ? start : at;
        if (keep < at && !(at - keep == REDACTED.length() && text.startsWith(REDACTED, keep))) {
          if (out == null) {
            out = new StringBuilder(text.length());
          }
          out.append(text, copied, keep).append(REDACTED);
          copied = at;
        }
      }
      scheme = text.indexOf("://", Math.max(end, start));
    }
    return out == null ? text : out.append(text, copied, text.length()).toString();
  }

  /** The authority (user info and host) ends at a path, query or fragment, or where the URL ends. */
  private static boolean endsAuthority(char c) {
    return c == '/' || c == '?' || c == '#' || endsUrl(c);
  }

  /** Where a URL in free text ends: white space, quotes, angle brackets. */
  public static boolean endsUrl(char c) {
    return Character.isWhitespace(c) || c == '"' || c == '\'' || c == '<' || c == '>';
  }

  /** Whether the scheme before {@code ://} at {@code at} is http or https. */
  private static boolean isWeb(String text, int at) {
    return text.regionMatches(true, at - 4, "http", 0, 4) && (at - 4 == 0 || !Character.isLetter(text.charAt(at - 5)))
        || text.regionMatches(true, at - 5, "https", 0, 5) && (at - 5 == 0 || !Character.isLetter(text.charAt(at - 6)));
  }
}

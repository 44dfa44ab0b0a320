package dev.auditkit.core.internal;

/**
 * Removes credentials from URLs in text: the password of {@code scheme://user:password@host}, and
 * a {@code scheme://token@host} user part whole (GitHub and others take a token as the user name).
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
      int at = end - 1; // the last @ of this authority (looked for within it only: linear in the text)
      while (at >= start && text.charAt(at) != '@') {
        at--;
      }
      if (at >= start) {
        int colon = start;
        while (colon < at && text.charAt(colon) != ':') {
          colon++;
        }
        int keep = colon < at ? colon + 1 : start; // "user:" stays; a token as the user does not
        if (!(at - keep == REDACTED.length() && text.startsWith(REDACTED, keep))) {
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

  /** The authority (user info and host) ends at a path, query or fragment, or where the text around it goes on. */
  private static boolean endsAuthority(char c) {
    return c == '/' || c == '?' || c == '#' || Character.isWhitespace(c) || c == '"' || c == '\'' || c == '<'
        || c == '>';
  }
}

package dev.auditkit.core.internal;

import java.util.function.Predicate;

/**
 * Secrets written into free text, as log lines, error messages and header dumps carry them:
 *
 * <ul>
 *   <li>{@code name=value} and {@code name: value} where the name is sensitive ({@code
 *       password=hunter2}, {@code "api_key": "k-1"}, {@code token = abc}): the value, up to
 *       white space, a quote that closes it, or one of {@code , ; & ) ] } < >};
 *   <li>HTTP credentials: the token after {@code Bearer} or {@code Basic} ({@code Authorization:
 *       Bearer eyJ…}), if it looks like one: at least 8 characters of the token alphabet, with a
 *       digit, one of {@code . _ ~ + / = -}, or a capital letter after the first (so "Bearer
 *       instrument" and "Basic membership" stay as they are).
 * </ul>
 *
 * One pass, no regular expressions (linear in the text whatever it holds), and the text itself
 * back when nothing was found.
 */
public final class SecretsInText {
  /** Names longer than this are not looked up (nor remembered by the policy). */
  private static final int NAME_MAX = 64;
  private static final int TOKEN_MIN = 8;

  private SecretsInText() {}

  /**
   * {@code text} with the values of sensitive names and HTTP credentials replaced by {@code marker}.
   *
   * @param sensitive whether a name (as written, e.g. {@code api_key}) is sensitive
   * @param credentials whether to look for {@code Bearer} and {@code Basic} credentials
   */
  public static String redact(String text, Predicate<String> sensitive, boolean credentials, String marker) {
    // most text holds none of these: String.indexOf is an intrinsic, far cheaper than the scan below
    if (text.indexOf('=') < 0 && text.indexOf(':') < 0 && !(credentials && mayHoldScheme(text))) {
      return text;
    }
    StringBuilder out = null;
    int copied = 0;
    int n = text.length();
    int i = 0;
    while (i < n) {
      char c = text.charAt(i);
      int valueStart = -1;
      if (c == '=' || c == ':') {
        valueStart = afterSensitiveName(text, i, sensitive);
      } else if (credentials && (c == 'b' || c == 'B') && (i == 0 || !Character.isLetterOrDigit(text.charAt(i - 1)))
          && (text.regionMatches(true, i, "bearer ", 0, 7) || text.regionMatches(true, i, "basic ", 0, 6))) {
        int t = i + (Character.toLowerCase(text.charAt(i + 1)) == 'e' ? 7 : 6);
        while (t < n && text.charAt(t) == ' ') {
          t++;
        }
        int end = t;
        while (end < n && isTokenChar(text.charAt(end))) {
          end++;
        }
        if (end - t >= TOKEN_MIN && looksLikeCredential(text, t, end) && !text.startsWith(marker, t)) {
          valueStart = t;
        } else {
          i = Math.max(i + 1, end);
          continue;
        }
      }
      if (valueStart < 0) {
        i++;
        continue;
      }
      int start = valueStart;
      char quote = 0;
      if (start < n && (text.charAt(start) == '"' || text.charAt(start) == '\'')) {
        quote = text.charAt(start);
        start++;
      }
      int end = start;
      if (quote == 0 && (text.regionMatches(true, start, "bearer ", 0, 7) || text.regionMatches(true, start, "basic ", 0, 6))) {
        // "Authorization: Bearer eyJ…": the scheme and its token are the value
        end = text.indexOf(' ', start) + 1;
        while (end < n && text.charAt(end) == ' ') {
          end++;
        }
      }
      while (end < n && !endsValue(text.charAt(end), quote)) {
        end++;
      }
      boolean cleared = quote == 0 && end - start == 4 && text.startsWith("null", start); // was cleared: no secret
      if (end > start && !cleared && !text.startsWith(marker, start)) {
        if (out == null) {
          out = new StringBuilder(n + 16);
        }
        out.append(text, copied, start).append(marker);
        copied = end;
      }
      i = Math.max(end, i + 1);
    }
    return out == null ? text : out.append(text, copied, n).toString();
  }

  /** Whether "bearer " or "basic " (any case) is in {@code text}: looked for at its spaces only. */
  private static boolean mayHoldScheme(String text) {
    for (int sp = text.indexOf(' ', 5); sp >= 0; sp = text.indexOf(' ', sp + 1)) {
      char before = text.charAt(sp - 1);
      if (((before == 'r' || before == 'R') && sp >= 6 && text.regionMatches(true, sp - 6, "bearer", 0, 6))
          || ((before == 'c' || before == 'C') && text.regionMatches(true, sp - 5, "basic", 0, 5))) {
        return true;
      }
    }
    return false;
  }

  /**
   * Where the value starts when the {@code =} or {@code :} at {@code at} follows a sensitive name
   * (optionally in quotes, as in JSON text); -1 otherwise. Spaces around the sign are allowed.
   */
  private static int afterSensitiveName(String text, int at, Predicate<String> sensitive) {
    int nameEnd = at;
    while (nameEnd > 0 && text.charAt(nameEnd - 1) == ' ') {
      nameEnd--;
    }
    if (nameEnd > 0 && (text.charAt(nameEnd - 1) == '"' || text.charAt(nameEnd - 1) == '\'')) {
      nameEnd--;
    }
    int nameStart = nameEnd;
    while (nameStart > 0 && nameEnd - nameStart <= NAME_MAX && isNameChar(text.charAt(nameStart - 1))) {
      nameStart--;
    }
    if (nameStart == nameEnd || nameEnd - nameStart > NAME_MAX
        || !sensitive.test(text.substring(nameStart, nameEnd))) {
      return -1;
    }
    int v = at + 1;
    if (text.charAt(at) == ':' && v < text.length() && text.charAt(v) == '/') {
      return -1; // a URL's scheme ("token://"), not a value
    }
    while (v < text.length() && text.charAt(v) == ' ') {
      v++;
    }
    return v;
  }

  private static boolean isNameChar(char c) {
    return c < 128 && (Character.isLetterOrDigit(c) || c == '_' || c == '-' || c == '.');
  }

  private static boolean isTokenChar(char c) {
    return c < 128 && (Character.isLetterOrDigit(c) || c == '.' || c == '_' || c == '~' || c == '+' || c == '/'
        || c == '=' || c == '-');
  }

  private static boolean looksLikeCredential(String text, int from, int to) {
    for (int i = from; i < to; i++) {
      char c = text.charAt(i);
      if (Character.isDigit(c) || !Character.isLetter(c) || (i > from && Character.isUpperCase(c))) {
        return true;
      }
    }
    return false;
  }

  private static boolean endsValue(char c, char quote) {
    if (quote != 0) {
      return c == quote;
    }
    return Character.isWhitespace(c) || c == '"' || c == '\'' || c == ',' || c == ';' || c == '&' || c == ')'
        || c == ']' || c == '}' || c == '<' || c == '>';
  }
}

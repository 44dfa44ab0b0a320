package dev.auditkit.core.internal;

import java.util.Set;
import java.util.function.Predicate;

/**
 * Secrets written into free text, as log lines, error messages and header dumps carry them:
 *
 * <ul>
 *   <li>{@code name=value}, {@code name: value} and {@code name => value} where the name (its last
 *       dotted part: {@code spring.datasource.password}) is sensitive: the value, quoted (escaped
 *       quotes too, as in JSON held in a log line), in brackets ({@code {Authorization=[Bearer …]}},
 *       as Java prints header maps), or up to white space or one of {@code , ; & | ) ] } < >} or
 *       the next sensitive {@code name=}. Header names whose value is a whole line
 *       ({@code Authorization}, {@code Cookie}, {@code Set-Cookie}, their proxy forms) take it to
 *       the end of the line: every auth scheme and every cookie;
 *   <li>HTTP credentials elsewhere: the token after {@code Bearer} (16 or more token characters
 *       with a digit) or {@code Basic} (base64, 8 or more, with a digit, {@code + / =} or a capital
 *       after the first), so "Bearer instrument" and "Basic 12-month plan" stay as they are.
 * </ul>
 *
 * One pass, no regular expressions (linear in the text whatever it holds), and the text itself
 * back when nothing was found. An unquoted value with spaces ({@code password: correct horse})
 * loses its first word only: quote it.
 */
public final class SecretsInText {
  /** Names longer than this are not looked up (nor remembered by the policy). */
  private static final int NAME_MAX = 64;
  private static final int BEARER_MIN = 16;
  private static final int BASIC_MIN = 8;
  /** Header names whose value is the rest of the line (normalised: lower case, letters and digits). */
  private static final Set<String> WHOLE_LINE = Set.of("authorization", "proxyauthorization", "cookie", "setcookie",
      "cookie2", "setcookie2");

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
      int start = -1;
      int end = -1;
      if (c == '=' || c == ':') {
        int nameStart = sensitiveNameBefore(text, i, sensitive);
        if (nameStart >= 0) {
          start = valueStart(text, i);
          int q = quoteLength(text, start);
          if (q > 0) { // a quoted value keeps its quotes: only what is inside them is replaced
            end = closingQuote(text, start, q);
            start += q;
          } else {
            end = valueEnd(text, start, wholeLine(text, nameStart, i), sensitive);
          }
        }
      } else if (credentials && (c == 'b' || c == 'B') && (i == 0 || !Character.isLetterOrDigit(text.charAt(i - 1)))) {
        int t = schemeToken(text, i);
        if (t >= 0) {
          start = t;
          end = tokenEnd(text, t);
        }
      }
      if (start < 0) {
        i++;
        continue;
      }
      if (end > start && !text.startsWith(marker, start) && !isNull(text, start, end)) {
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
   * Where the sensitive name before the {@code =} or {@code :} at {@code at} starts (optionally in
   * quotes, escaped or not, with white space before the sign); -1 when there is none. The name is
   * tested by its last dotted part.
   */
  private static int sensitiveNameBefore(String text, int at, Predicate<String> sensitive) {
    if (text.charAt(at) == ':' && at + 1 < text.length() && text.charAt(at + 1) == '/') {
      return -1; // a URL's scheme ("token://"), not a value
    }
    int nameEnd = at;
    while (nameEnd > 0 && isSpace(text.charAt(nameEnd - 1))) {
      nameEnd--;
    }
    if (nameEnd > 0 && (text.charAt(nameEnd - 1) == '"' || text.charAt(nameEnd - 1) == '\'')) {
      nameEnd--;
      if (nameEnd > 0 && text.charAt(nameEnd - 1) == '\\') {
        nameEnd--;
      }
    }
    int nameStart = nameEnd;
    while (nameStart > 0 && nameEnd - nameStart <= NAME_MAX && isNameChar(text.charAt(nameStart - 1))) {
      nameStart--;
    }
    if (nameStart == nameEnd || nameEnd - nameStart > NAME_MAX) {
      return -1;
    }
    int dot = text.lastIndexOf('.', nameEnd - 1);
    int partStart = dot >= nameStart ? dot + 1 : nameStart;
    return partStart < nameEnd && sensitive.test(text.substring(partStart, nameEnd)) ? nameStart : -1;
  }

  /** Where the value after the sign at {@code at} starts: past {@code =>} and white space. */
  private static int valueStart(String text, int at) {
    int v = at + 1;
    if (text.charAt(at) == '=' && v < text.length() && text.charAt(v) == '>') {
      v++;
    }
    while (v < text.length() && isSpace(text.charAt(v))) {
      v++;
    }
    return v;
  }

  /** Whether the name between {@code from} and the sign at {@code at} is a header whose value is the whole line. */
  private static boolean wholeLine(String text, int from, int at) {
    return WHOLE_LINE.contains(SensitiveKeys.normalize(text.substring(from, at)));
  }

  /**
   * Where the value in quotes ({@code q} = 1) or escaped quotes ({@code \"…\"} inside a log line's
   * JSON, {@code q} = 2) starting at {@code start} ends: its closing quote, or the end of the line.
   */
  private static int closingQuote(String text, int start, int q) {
    char quote = text.charAt(start + q - 1);
    if (q == 2) {
      int close = text.indexOf("\\" + quote, start + 2);
      return close < 0 ? lineEnd(text, start + 2) : close;
    }
    for (int i = start + 1; i < text.length(); i++) {
      char ch = text.charAt(i);
      if (ch == '\\') {
        i++; // an escaped character, the quote too
      } else if (ch == quote) {
        return i;
      }
    }
    return lineEnd(text, start + 1);
  }

  /** Where the unquoted value starting at {@code start} ends (exclusive). */
  private static int valueEnd(String text, int start, boolean wholeLine, Predicate<String> sensitive) {
    int n = text.length();
    if (start >= n) {
      return start;
    }
    char first = text.charAt(start);
    char closer = first == '[' ? ']' : first == '(' ? ')' : first == '{' ? '}' : 0;
    if (closer != 0) {
      int depth = 0;
      for (int i = start; i < n; i++) {
        char ch = text.charAt(i);
        if (ch == first) {
          depth++;
        } else if (ch == closer && --depth == 0) {
          return i + 1;
        }
      }
      return lineEnd(text, start);
    }
    if (wholeLine) {
      return lineEnd(text, start);
    }
    int end = start;
    if (text.regionMatches(true, start, "bearer ", 0, 7) || text.regionMatches(true, start, "basic ", 0, 6)) {
      end = text.indexOf(' ', start) + 1; // "Token: Bearer eyJ…": the scheme and its token are the value
      while (end < n && isSpace(text.charAt(end))) {
        end++;
      }
    }
    for (; end < n; end++) {
      char ch = text.charAt(end);
      if (isSpace(ch) || ch == '"' || ch == '\'' || ch == ',' || ch == ';' || ch == '&' || ch == '|' || ch == ')'
          || ch == ']' || ch == '}' || ch == '<' || ch == '>') {
        break;
      }
      if ((ch == '=' || ch == ':') && end > start) {
        int next = sensitiveNameBefore(text, end, sensitive);
        if (next >= start) {
          // the next sensitive pair starts inside this value (otp=123456/password=…, or lines glued
          // when a line separator was removed): the value ends before its name, or, when the two
          // cannot be told apart, before its sign; the scan goes on from there
          return next > start ? next : end;
        }
      }
    }
    return end;
  }

  /** 1 for a value in quotes, 2 for one in escaped quotes ({@code \"}), 0 otherwise. */
  private static int quoteLength(String text, int at) {
    if (at >= text.length()) {
      return 0;
    }
    char c = text.charAt(at);
    if (c == '"' || c == '\'') {
      return 1;
    }
    return c == '\\' && at + 1 < text.length() && (text.charAt(at + 1) == '"' || text.charAt(at + 1) == '\'') ? 2 : 0;
  }

  private static int lineEnd(String text, int from) {
    int end = from;
    while (end < text.length() && text.charAt(end) != '\n' && text.charAt(end) != '\r') {
      end++;
    }
    return end;
  }

  /**
   * Where the credential after {@code Bearer} or {@code Basic} at {@code at} starts, when it looks
   * like one; -1 otherwise.
   */
  private static int schemeToken(String text, int at) {
    boolean bearer = text.regionMatches(true, at, "bearer", 0, 6);
    if (!bearer && !text.regionMatches(true, at, "basic", 0, 5)) {
      return -1;
    }
    int t = at + (bearer ? 6 : 5);
    if (t >= text.length() || !isSpace(text.charAt(t))) {
      return -1;
    }
    while (t < text.length() && isSpace(text.charAt(t))) {
      t++;
    }
    int end = tokenEnd(text, t);
    boolean digit = false;
    boolean evidence = false;
    boolean base64 = true;
    for (int i = t; i < end; i++) {
      char ch = text.charAt(i);
      digit |= Character.isDigit(ch);
      evidence |= Character.isDigit(ch) || ch == '+' || ch == '/' || ch == '=' || (i > t && Character.isUpperCase(ch));
      base64 &= Character.isLetterOrDigit(ch) || ch == '+' || ch == '/' || ch == '=';
    }
    boolean looks = bearer ? end - t >= BEARER_MIN && digit : end - t >= BASIC_MIN && base64 && evidence;
    return looks ? t : -1;
  }

  private static int tokenEnd(String text, int from) {
    int end = from;
    while (end < text.length() && isTokenChar(text.charAt(end))) {
      end++;
    }
    return end;
  }

  private static boolean isNull(String text, int start, int end) {
    return end - start == 4 && text.startsWith("null", start); // says "cleared", holds no secret
  }

  private static boolean isSpace(char c) {
    return Character.isWhitespace(c) || c == '\u00a0' || c == '\u2007' || c == '\u202f';
  }

  private static boolean isNameChar(char c) {
    return c < 128 && (Character.isLetterOrDigit(c) || c == '_' || c == '-' || c == '.');
  }

  private static boolean isTokenChar(char c) {
    return c < 128 && (Character.isLetterOrDigit(c) || c == '.' || c == '_' || c == '~' || c == '+' || c == '/'
        || c == '=' || c == '-');
  }
}

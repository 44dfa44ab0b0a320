package dev.auditkit.core.internal;

import dev.auditkit.core.AuditLimits;

/** String sanitising: control characters out, lone surrogates replaced, lengths capped visibly. */
public final class Text {
  private static final int REPLACEMENT = 0xFFFD;

  private Text() {}

  /**
   * A single-line value: removes C0/C1 control characters (NUL, CR, LF, TAB, ESC...), Unicode line
   * and paragraph separators and bidirectional overrides; replaces lone surrogates with U+FFFD;
   * cuts to {@code maxCodePoints} with the truncation marker. Null stays null.
   */
  public static String singleLine(String s, int maxCodePoints) {
    return clean(s, maxCodePoints, false);
  }

  /**
   * A multi-line value (a JSON string): like {@link #singleLine} but keeps TAB, LF and CR.
   */
  public static String multiLine(String s, int maxCodePoints) {
    return clean(s, maxCodePoints, true);
  }

  private static String clean(String s, int max, boolean keepLineBreaks) {
    if (s == null) {
      return null;
    }
    String cleaned = isClean(s, keepLineBreaks) ? s : strip(s, keepLineBreaks);
    if (cleaned.length() <= max || cleaned.codePointCount(0, cleaned.length()) <= max) {
      return cleaned;
    }
    int end = cleaned.offsetByCodePoints(0, max - AuditLimits.TRUNCATION_MARKER.length());
    return cleaned.substring(0, end) + AuditLimits.TRUNCATION_MARKER;
  }

  private static String strip(String s, boolean keepLineBreaks) {
    StringBuilder out = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); ) {
      int cp = s.codePointAt(i);
      i += Character.charCount(cp);
      if (cp <= 0xFFFF && Character.isSurrogate((char) cp)) {
        cp = REPLACEMENT;
      }
      if (!dropped(cp, keepLineBreaks)) {
        out.appendCodePoint(cp);
      }
    }
    return out.toString();
  }

  private static boolean isClean(String s, boolean keepLineBreaks) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x20 || (c >= 0x7F && c <= 0x9F) || (c >= 0x2028 && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069)) {
        if (!(keepLineBreaks && (c == '\t' || c == '\n' || c == '\r'))) {
          return false;
        }
      } else if (Character.isSurrogate(c)) {
        return false; // checked precisely on the slow path
      }
    }
    return true;
  }

  private static boolean dropped(int cp, boolean keepLineBreaks) {
    if (cp < 0x20) {
      return !(keepLineBreaks && (cp == '\t' || cp == '\n' || cp == '\r'));
    }
    return (cp >= 0x7F && cp <= 0x9F)
        || cp == 0x2028
        || cp == 0x2029
        || (cp >= 0x202A && cp <= 0x202E)
        || (cp >= 0x2066 && cp <= 0x2069);
  }

  /**
   * Whether cleaning {@code s} (as {@link #singleLine} or, with {@code keepLineBreaks}, {@link
   * #multiLine}, without a length limit) leaves it as it is: it holds nothing the model removes.
   */
  public static boolean keptAsIs(String s, boolean keepLineBreaks) {
    return isClean(s, keepLineBreaks) || strip(s, keepLineBreaks).equals(s);
  }

  /** True when {@code s} is null or only whitespace. */
  public static boolean isBlank(String s) {
    return s == null || s.isBlank();
  }
}

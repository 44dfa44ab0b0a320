package dev.auditkit.core.internal;


/**
 * Finds payment card numbers in free text: runs of 13 to 19 digits, optionally grouped by single
 * separators (space, no-break or thin space, dash, dot or plus, as in a form-encoded URL), that start
 * with 2–6 (the major industry identifiers of the card networks) and pass the Luhn check. A run of
 * groups that is not a card number as a whole may start with one made of whole groups with one kind
 * of separator, followed by more ({@code 4111 1111 1111 1111 123}, a card number and its CVV, or a
 * second card number), unless the run follows a letter ({@code DE44 5001 ...}, an IBAN); inside a
 * run nothing else is searched. Fullwidth digits count as digits. Each one is masked keeping its separators and last four digits:
 * {@code 4111 1111 1111 1111} becomes {@code **** **** **** 1111}.
 */
public final class CardNumbers {
  private CardNumbers() {}

  /** The Luhn check over a string of digits (ASCII or fullwidth). */
  public static boolean luhn(CharSequence digits) {
    int sum = 0;
    boolean twice = false;
    for (int i = digits.length() - 1; i >= 0; i--) {
      int d = digit(digits.charAt(i));
      if (d < 0) {
        return false;
      }
      sum += luhnDigit(d, twice);
      twice = !twice;
    }
    return digits.length() > 0 && sum % 10 == 0;
  }

  /** {@code text} with every card number masked; the same instance when there is none. */
  public static String mask(String text) {
    if (text == null || text.length() < 13 || !hasEnoughDigits(text)) {
      return text;
    }
    StringBuilder out = null;
    int[] bounds = null; // start and end of each group of the run at hand, made when a run is long enough
    int n = text.length();
    int i = 0;
    while (i < n) {
      if (!isDigit(text.charAt(i)) || (i > 0 && isDigit(text.charAt(i - 1)))) {
        i++;
        continue;
      }
      // a run of digit groups separated by single separators: first only measured
      int groups = 0;
      int digits = 0;
      int g = i;
      while (true) {
        int s = g;
        while (g < n && isDigit(text.charAt(g))) {
          g++;
        }
        groups++;
        digits += g - s;
        if (g + 1 < n && isSeparator(text.charAt(g)) && isDigit(text.charAt(g + 1))) {
          g++;
        } else {
          break;
        }
      }
      int end = g;
      if (digits >= 13) {
        if (bounds == null || bounds.length < 2 * groups) {
          bounds = new int[Math.max(16, 2 * groups)];
        }
        g = i;
        for (int k = 0; k < groups; k++) {
          bounds[2 * k] = g;
          while (g < n && isDigit(text.charAt(g))) {
            g++;
          }
          bounds[2 * k + 1] = g;
          g++;
        }
        if (isCard(text, bounds, 0, groups - 1)) {
          out = maskRange(out, text, bounds[0], bounds[2 * groups - 1]);
        } else if (groups > 1 && !(i > 0 && Character.isLetter(text.charAt(i - 1)))) {
          // windows of a longer run only where the run does not go on a word (DE44 5001 ..., an IBAN)
          out = maskWindows(out, text, bounds, groups);
        }
      }
      i = end;
    }
    return out == null ? text : out.toString();
  }

  /**
   * The card numbers of a run that is not one as a whole: the longest window of whole groups with
   * one kind of separator that starts it, then the same after that window. Other windows are never
   * tried: in a run of 17 digits some 13-digit window passes the Luhn check one time in ten, which
   * would mask order and reference numbers. At most 19 groups per window: linear in the run.
   */
  private static StringBuilder maskWindows(StringBuilder out, String text, int[] bounds, int groups) {
    int a = 0;
    while (a < groups) {
      int last = a;
      int digits = bounds[2 * a + 1] - bounds[2 * a];
      while (last + 1 < groups && digits + bounds[2 * last + 3] - bounds[2 * last + 2] <= 19) {
        last++;
        digits += bounds[2 * last + 1] - bounds[2 * last];
      }
      int hit = -1;
      for (int b = last; b >= a && hit < 0; b--) {
        if (isCard(text, bounds, a, b) && oneSeparator(text, bounds, a, b)) {
          hit = b;
        }
      }
      if (hit < 0) {
        break; // a window starts the run or follows a card: a longer number is not searched inside
      }
      out = maskRange(out, text, bounds[2 * a], bounds[2 * hit + 1]);
      a = hit + 1;
    }
    return out;
  }

  /** Whether groups {@code a} to {@code b} are separated by one kind of character (a card's layout; coordinates mix them). */
  private static boolean oneSeparator(String text, int[] bounds, int a, int b) {
    for (int k = a + 2; k <= b; k++) {
      if (text.charAt(bounds[2 * k] - 1) != text.charAt(bounds[2 * a + 2] - 1)) {
        return false;
      }
    }
    return true;
  }

  /** Whether groups {@code a} to {@code b} together are a card number: 13 to 19 digits, 2 to 6 first, Luhn. */
  private static boolean isCard(String text, int[] bounds, int a, int b) {
    int count = 0;
    for (int k = a; k <= b; k++) {
      count += bounds[2 * k + 1] - bounds[2 * k];
    }
    int first = digit(text.charAt(bounds[2 * a]));
    if (count < 13 || count > 19 || first < 2 || first > 6) {
      return false;
    }
    int sum = 0;
    boolean twice = false;
    for (int k = b; k >= a; k--) {
      for (int c = bounds[2 * k + 1] - 1; c >= bounds[2 * k]; c--) {
        sum += luhnDigit(digit(text.charAt(c)), twice);
        twice = !twice;
      }
    }
    return sum % 10 == 0;
  }

  private static boolean isSeparator(char c) {
    return c == ' ' || c == '-' || c == '.' || c == '+' || c == '\u00A0' || c == '\u2009' || c == '\u202F';
  }

  /** Masks the digits of {@code [start, end)} but the last four; makes {@code out} from {@code text} first. */
  private static StringBuilder maskRange(StringBuilder out, String text, int start, int end) {
    StringBuilder sb = out == null ? new StringBuilder(text) : out;
    int keep = 4;
    for (int i = end - 1; i >= start; i--) {
      if (isDigit(sb.charAt(i))) {
        if (keep > 0) {
          keep--;
        } else {
          sb.setCharAt(i, '*');
        }
      }
    }
    return sb;
  }

  private static boolean hasEnoughDigits(String s) {
    int count = 0;
    for (int i = 0; i < s.length(); i++) {
      if (isDigit(s.charAt(i)) && ++count >= 13) {
        return true;
      }
    }
    return false;
  }

  /** What digit {@code d} adds to a Luhn sum: itself, or (every second from the right) its double's digit sum. */
  private static int luhnDigit(int d, boolean twice) {
    return !twice ? d : d * 2 > 9 ? d * 2 - 9 : d * 2;
  }

  /** ASCII digits, and fullwidth ones (U+FF10 to U+FF19: what East Asian keyboards type). */
  private static boolean isDigit(char c) {
    return (c >= '0' && c <= '9') || (c >= '\uFF10' && c <= '\uFF19');
  }

  private static int digit(char c) {
    return c >= '0' && c <= '9' ? c - '0' : c >= '\uFF10' && c <= '\uFF19' ? c - '\uFF10' : -1;
  }
}

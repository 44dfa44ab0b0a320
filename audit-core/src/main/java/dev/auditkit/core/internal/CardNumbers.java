package dev.auditkit.core.internal;

import java.util.ArrayList;
import java.util.List;

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
      if (twice) {
        d *= 2;
        if (d > 9) {
          d -= 9;
        }
      }
      sum += d;
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
    int n = text.length();
    int i = 0;
    while (i < n) {
      if (!isDigit(text.charAt(i)) || (i > 0 && isDigit(text.charAt(i - 1)))) {
        i++;
        continue;
      }
      // a run of digit groups separated by single spaces or dashes
      int end = i;
      List<int[]> groups = new ArrayList<>();
      int g = i;
      while (true) {
        int s = g;
        while (g < n && isDigit(text.charAt(g))) {
          g++;
        }
        groups.add(new int[] {s, g});
        end = g;
        if (g + 1 < n && isSeparator(text.charAt(g)) && isDigit(text.charAt(g + 1))) {
          g++;
        } else {
          break;
        }
      }
      // windows of a longer run only where the run does not go on a word (DE44 5001 ..., an IBAN)
      boolean afterLetter = i > 0 && Character.isLetter(text.charAt(i - 1));
      for (int[] hit : findCards(text, groups, !afterLetter)) {
        if (out == null) {
          out = new StringBuilder(text);
        }
        maskRange(out, hit[0], hit[1]);
      }
      i = end;
    }
    return out == null ? text : out.toString();
  }

  /**
   * The card numbers in a run of digit groups: the whole run when it is one, otherwise the longest
   * window of whole groups that starts it, then the same after that window. Other windows are never
   * tried: in a run of 17 digits some 13-digit window passes the Luhn check one time in ten, which
   * would mask order and reference numbers.
   */
  private static List<int[]> findCards(String text, List<int[]> groups, boolean windows) {
    List<int[]> found = new ArrayList<>(1);
    if (isCard(text, groups, 0, groups.size() - 1)) {
      found.add(new int[] {groups.get(0)[0], groups.get(groups.size() - 1)[1]});
      return found;
    }
    if (!windows) {
      return found;
    }
    int a = 0;
    while (a < groups.size()) {
      // a window holds at most 19 digits, so at most 19 groups: the search stays linear in the run
      int last = a;
      int digits = groups.get(a)[1] - groups.get(a)[0];
      while (last + 1 < groups.size() && digits + groups.get(last + 1)[1] - groups.get(last + 1)[0] <= 19) {
        last++;
        digits += groups.get(last)[1] - groups.get(last)[0];
      }
      int hitEnd = -1;
      for (int b = last; b >= a && hitEnd < 0; b--) {
        if (isCard(text, groups, a, b) && oneSeparator(text, groups, a, b)) {
          hitEnd = b;
        }
      }
      if (hitEnd < 0) {
        break; // a window starts the run or follows a card: a longer number is not searched inside
      }
      found.add(new int[] {groups.get(a)[0], groups.get(hitEnd)[1]});
      a = hitEnd + 1;
    }
    return found;
  }

  /** Whether groups {@code a} to {@code b} are separated by one kind of character (a card's layout; coordinates mix them). */
  private static boolean oneSeparator(String text, List<int[]> groups, int a, int b) {
    for (int i = a + 1; i <= b; i++) {
      if (text.charAt(groups.get(i)[0] - 1) != text.charAt(groups.get(a + 1)[0] - 1)) {
        return false;
      }
    }
    return true;
  }

  /** Whether groups {@code a} to {@code b} together are a card number. */
  private static boolean isCard(String text, List<int[]> groups, int a, int b) {
    int count = 0;
    for (int i = a; i <= b; i++) {
      count += groups.get(i)[1] - groups.get(i)[0];
    }
    if (count < 13 || count > 19) {
      return false;
    }
    StringBuilder digits = new StringBuilder(count);
    for (int i = a; i <= b; i++) {
      digits.append(text, groups.get(i)[0], groups.get(i)[1]);
    }
    int first = digit(digits.charAt(0));
    return first >= 2 && first <= 6 && luhn(digits);
  }

  private static boolean isSeparator(char c) {
    return c == ' ' || c == '-' || c == '.' || c == '+' || c == '\u00A0' || c == '\u2009' || c == '\u202F';
  }

  private static void maskRange(StringBuilder sb, int start, int end) {
    int keep = 4;
    for (int i = end - 1; i >= start; i--) {
      char c = sb.charAt(i);
      if (isDigit(c)) {
        if (keep > 0) {
          keep--;
        } else {
          sb.setCharAt(i, '*');
        }
      }
    }
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

  /** ASCII digits, and fullwidth ones (U+FF10 to U+FF19: what East Asian keyboards type). */
  private static boolean isDigit(char c) {
    return (c >= '0' && c <= '9') || (c >= '\uFF10' && c <= '\uFF19');
  }

  private static int digit(char c) {
    return c >= '0' && c <= '9' ? c - '0' : c >= '\uFF10' && c <= '\uFF19' ? c - '\uFF10' : -1;
  }
}

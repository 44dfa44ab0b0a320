package dev.auditkit.core.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * Finds payment card numbers in free text: runs of 13 to 19 digits, optionally grouped by single
 * spaces or dashes, that start with 2–6 (the major industry identifiers of the card networks) and
 * pass the Luhn check. A run is taken whole: a longer one is not searched for a card inside it.
 * Each one is masked keeping its separators and last four digits:
 * {@code 4111 1111 1111 1111} becomes {@code **** **** **** 1111}.
 */
public final class CardNumbers {
  private CardNumbers() {}

  /** The Luhn check over a string of ASCII digits. */
  public static boolean luhn(CharSequence digits) {
    int sum = 0;
    boolean twice = false;
    for (int i = digits.length() - 1; i >= 0; i--) {
      int d = digits.charAt(i) - '0';
      if (d < 0 || d > 9) {
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
        if (g + 1 < n && (text.charAt(g) == ' ' || text.charAt(g) == '-') && isDigit(text.charAt(g + 1))) {
          g++;
        } else {
          break;
        }
      }
      int[] hit = findCard(text, groups);
      if (hit != null) {
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
   * The whole run when it is a valid card number. Windows inside a longer run are not tried: in a
   * run of 17 digits some 13-digit window passes the Luhn check one time in ten, which would mask
   * order and reference numbers.
   */
  private static int[] findCard(String text, List<int[]> groups) {
    StringBuilder digits = new StringBuilder(19);
    for (int[] g : groups) {
      digits.append(text, g[0], g[1]);
      if (digits.length() > 19) {
        return null;
      }
    }
    if (digits.length() >= 13 && digits.charAt(0) >= '2' && digits.charAt(0) <= '6' && luhn(digits)) {
      return new int[] {groups.get(0)[0], groups.get(groups.size() - 1)[1]};
    }
    return null;
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

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }
}

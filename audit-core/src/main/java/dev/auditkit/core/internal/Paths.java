package dev.auditkit.core.internal;

/**
 * Change paths: names joined by dots, list positions as {@code [3]}, list items by identity as
 * {@code [id=7]}. A name containing {@code . [ ] \} has those characters escaped with a backslash;
 * an empty name is written as {@code ""}.
 */
public final class Paths {
  /** The path of a change to the whole value (a root that is not an object or a list). */
  public static final String ROOT = "$";

  private Paths() {}

  public static String escape(String name) {
    if (name.isEmpty()) {
      return "\"\"";
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c == '.' || c == '[' || c == ']' || c == '\\') {
        return slowEscape(name);
      }
    }
    return name;
  }

  private static String slowEscape(String name) {
    StringBuilder sb = new StringBuilder(name.length() + 4);
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c == '.' || c == '[' || c == ']' || c == '\\') {
        sb.append('\\');
      }
      sb.append(c);
    }
    return sb.toString();
  }

  /**
   * The property names in a path, unescaped, without list positions or identity selectors:
   * {@code items[id=7].qty} gives {@code [items, qty]}.
   */
  public static java.util.List<String> names(String path) {
    java.util.List<String> out = new java.util.ArrayList<>();
    StringBuilder cur = new StringBuilder();
    boolean inBracket = false;
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if (c == '\\' && i + 1 < path.length()) {
        if (!inBracket) {
          cur.append(path.charAt(i + 1));
        }
        i++;
      } else if (inBracket) {
        if (c == ']') {
          inBracket = false;
        }
      } else if (c == '[') {
        inBracket = true;
      } else if (c == '.') {
        out.add(cur.toString());
        cur.setLength(0);
      } else {
        cur.append(c);
      }
    }
    out.add(cur.toString());
    return out;
  }
}

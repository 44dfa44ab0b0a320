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

  /**
   * {@code path} with the value of each identity selector whose key {@code sensitive} accepts
   * replaced by {@code replacement}: {@code sessions[token=abc].ip} becomes
   * {@code sessions[token=\[REDACTED\]].ip}. The same instance when there is none.
   */
  public static String replaceSelectorValues(String path, java.util.function.Predicate<String> sensitive,
      String replacement) {
    if (path.indexOf('[') < 0) {
      return path;
    }
    StringBuilder out = null;
    int n = path.length();
    int copied = 0;
    for (int i = 0; i < n; i++) {
      char c = path.charAt(i);
      if (c == '\\') {
        i++;
        continue;
      }
      if (c != '[') {
        continue;
      }
      StringBuilder key = new StringBuilder();
      int eq = -1;
      int j = i + 1;
      for (; j < n && path.charAt(j) != ']'; j++) {
        char d = path.charAt(j);
        if (d == '\\' && j + 1 < n) {
          if (eq < 0) {
            key.append(path.charAt(j + 1));
          }
          j++;
        } else if (eq < 0 && d == '=') {
          eq = j;
        } else if (eq < 0) {
          key.append(d);
        }
      }
      if (eq > 0 && j < n && sensitive.test(key.toString())) {
        if (out == null) {
          out = new StringBuilder(n + replacement.length());
        }
        out.append(path, copied, eq + 1).append(escape(replacement));
        copied = j; // the closing bracket
      }
      i = j;
    }
    return out == null ? path : out.append(path, copied, n).toString();
  }

  /**
   * {@code path} up to the end of its name number {@code index} (as {@link #names} counts them),
   * with that name's selectors: {@code tokens.rt_live_1.device} through name 0 is {@code tokens}.
   * The whole path when that is its last name.
   */
  public static String throughName(String path, int index) {
    int name = 0;
    boolean inBracket = false;
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if (c == '\\') {
        i++;
      } else if (inBracket) {
        inBracket = c != ']';
      } else if (c == '[') {
        inBracket = true;
      } else if (c == '.') {
        if (name == index) {
          return path.substring(0, i);
        }
        name++;
      }
    }
    return path;
  }

  /**
   * The identity selectors of a path as {key, value} pairs, unescaped:
   * {@code headers[name=Authorization].value} gives {@code [[name, Authorization]]}.
   */
  public static java.util.List<String[]> selectors(String path) {
    java.util.List<String[]> out = new java.util.ArrayList<>(1);
    if (path.indexOf('[') < 0) {
      return out;
    }
    int n = path.length();
    for (int i = 0; i < n; i++) {
      char c = path.charAt(i);
      if (c == '\\') {
        i++;
        continue;
      }
      if (c != '[') {
        continue;
      }
      StringBuilder key = new StringBuilder();
      StringBuilder value = null;
      int j = i + 1;
      for (; j < n && path.charAt(j) != ']'; j++) {
        char d = path.charAt(j);
        if (d == '\\' && j + 1 < n) {
          d = path.charAt(++j);
          (value == null ? key : value).append(d);
        } else if (value == null && d == '=') {
          value = new StringBuilder();
        } else {
          (value == null ? key : value).append(d);
        }
      }
      if (value != null) {
        out.add(new String[] {key.toString(), value.toString()});
      }
      i = j;
    }
    return out;
  }
}

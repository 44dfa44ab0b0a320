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
    StringBuilder out = null;
    int copied = 0;
    for (Selector s : scan(path)) {
      if (sensitive.test(s.key())) {
        if (out == null) {
          out = new StringBuilder(path.length() + replacement.length());
        }
        out.append(path, copied, s.eq() + 1).append(escape(replacement));
        copied = s.close();
      }
    }
    return out == null ? path : out.append(path, copied, path.length()).toString();
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
    for (Selector s : scan(path)) {
      out.add(new String[] {s.key(), s.value()});
    }
    return out;
  }

  /** One {@code [key=value]} of a path: unescaped key and value, and where its {@code =} and {@code ]} are. */
  private record Selector(String key, String value, int eq, int close) {}

  /** The identity selectors of a path, in order (list positions, which have no {@code =}, left out). */
  private static java.util.List<Selector> scan(String path) {
    java.util.List<Selector> out = new java.util.ArrayList<>(1);
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
      int eq = -1;
      int j = i + 1;
      for (; j < n && path.charAt(j) != ']'; j++) {
        char d = path.charAt(j);
        if (d == '\\' && j + 1 < n) {
          (value == null ? key : value).append(path.charAt(++j));
        } else if (value == null && d == '=') {
          value = new StringBuilder();
          eq = j;
        } else {
          (value == null ? key : value).append(d);
        }
      }
      if (value != null && j < n) {
        out.add(new Selector(key.toString(), value.toString(), eq, j));
      }
      i = j;
    }
    return out;
  }
}

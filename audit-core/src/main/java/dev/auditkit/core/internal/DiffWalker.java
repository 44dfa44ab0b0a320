package dev.auditkit.core.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.auditkit.core.FieldChange;
import dev.auditkit.core.RedactionPolicy;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Walks two values side by side and records where they differ; also builds the JSON snapshot of a
 * single value under the same rules. One instance per call; not thread-safe.
 *
 * <p>Objects (Maps, POJOs, records, JSON objects) are compared property by property, lists by
 * position or, when a rule names an identity key, by that key; anything else is compared as a whole.
 * A null property and a missing one are the same.
 */
public final class DiffWalker {
  /** Deeper than this is treated as a reference cycle. */
  public static final int MAX_DEPTH = 256;

  private static final TextNode REDACTED = TextNode.valueOf(RedactionPolicy.REDACTED);

  private final List<FieldChange> out;
  private final StringBuilder path = new StringBuilder(64);
  private String side = "";
  private int depth;

  private DiffWalker(List<FieldChange> out) {
    this.out = out;
  }

  /**
   * The changes from {@code before} to {@code after}. At the root a null side counts as an empty
   * object or list, so a creation lists every initial property and a deletion every last one.
   *
   * @throws ValueAccessException naming the side and path when a value cannot be read
   */
  public static List<FieldChange> diff(Object before, Object after, RuleTree rules) {
    DiffWalker w = new DiffWalker(new ArrayList<>(8));
    RuleTree.State st = rules.start();
    Object a = w.unwrap(before, "before");
    Object b = w.unwrap(after, "after");
    if (a == null && b == null) {
      return List.of();
    }
    ValueKind ka = a == null ? null : Values.kind(a);
    ValueKind kb = b == null ? null : Values.kind(b);
    if (a == null && kb.shape() != ValueKind.Shape.SCALAR) {
      a = kb.shape() == ValueKind.Shape.OBJECT ? Map.of() : List.of();
      ka = Values.kind(a);
    } else if (b == null && ka.shape() != ValueKind.Shape.SCALAR) {
      b = ka.shape() == ValueKind.Shape.OBJECT ? Map.of() : List.of();
      kb = Values.kind(b);
    }
    w.compare(a, ka, b, kb, st);
    return w.out;
  }

  /**
   * The JSON snapshot of a value: ignored properties left out, masked ones replaced by
   * {@link RedactionPolicy#REDACTED}, points in time in UTC.
   */
  public static JsonNode snapshot(Object value, RuleTree rules, String side) {
    DiffWalker w = new DiffWalker(Collections.emptyList());
    w.side = side;
    return w.project(value, rules.start());
  }

  // ---------------------------------------------------------------- comparing

  private void walk(Object a, Object b, RuleTree.State st) {
    if (a == b) {
      return;
    }
    if (a instanceof Values.Masked || b instanceof Values.Masked) {
      compareMasked(unmask(a), unmask(b));
      return;
    }
    Object ua = unwrap(a, "before");
    Object ub = unwrap(b, "after");
    if (ua == ub) {
      return;
    }
    if (ua == null || ub == null) {
      emit(ua, ub, st);
      return;
    }
    compare(ua, Values.kind(ua), ub, Values.kind(ub), st);
  }

  private void compare(Object a, ValueKind ka, Object b, ValueKind kb, RuleTree.State st) {
    if (a == null || b == null) {
      emit(a, b, st);
      return;
    }
    ValueKind.Shape sa = ka.shape();
    ValueKind.Shape sb = kb.shape();
    if (sa != sb) {
      emit(a, b, st);
      return;
    }
    if (++depth > MAX_DEPTH) {
      throw tooDeep();
    }
    try {
      switch (sa) {
        case OBJECT -> compareObjects(a, ka, b, kb, st);
        case ARRAY -> compareLists(a, ka, b, kb, st);
        default -> {
          if (!Scalars.same(a, ka, b, kb)) {
            emit(a, b, st);
          }
        }
      }
    } finally {
      depth--;
    }
  }

  private void compareObjects(Object a, ValueKind ka, Object b, ValueKind kb, RuleTree.State st) {
    if (ka == ValueKind.BEAN && kb == ValueKind.BEAN && a.getClass() == b.getClass()) {
      BeanInfo info = Values.bean(a.getClass());
      for (int i = 0; i < info.size; i++) {
        if (info.ignored[i]) {
          continue;
        }
        RuleTree.State cs = st.child(info.names[i]);
        if (cs.ignored() || cs.excluded()) {
          continue;
        }
        int mark = push(info.pathNames[i]);
        Object va = read(info, a, i, "before");
        Object vb = read(info, b, i, "after");
        if (info.masked[i] || cs.masked()) {
          compareMasked(va, vb);
        } else {
          walk(va, vb, cs);
        }
        path.setLength(mark);
      }
      return;
    }
    if (ka == ValueKind.JSON_OBJECT && kb == ValueKind.JSON_OBJECT) {
      ObjectNode x = (ObjectNode) a;
      ObjectNode y = (ObjectNode) b;
      for (Iterator<Map.Entry<String, JsonNode>> it = x.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        child(e.getKey(), e.getValue(), y.get(e.getKey()), st);
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = y.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (!x.has(e.getKey())) {
          child(e.getKey(), null, e.getValue(), st);
        }
      }
      return;
    }
    Map<?, ?> x = ka == ValueKind.MAP && Values.stringKeys((Map<?, ?>) a) ? (Map<?, ?>) a : entries(a, ka, "before");
    Map<?, ?> y = kb == ValueKind.MAP && Values.stringKeys((Map<?, ?>) b) ? (Map<?, ?>) b : entries(b, kb, "after");
    for (Map.Entry<?, ?> e : x.entrySet()) {
      child((String) e.getKey(), e.getValue(), y.get(e.getKey()), st);
    }
    for (Map.Entry<?, ?> e : y.entrySet()) {
      if (!x.containsKey(e.getKey())) {
        child((String) e.getKey(), null, e.getValue(), st);
      }
    }
  }

  private void child(String name, Object va, Object vb, RuleTree.State st) {
    RuleTree.State cs = st.child(name);
    if (cs.ignored() || cs.excluded()) {
      return;
    }
    int mark = push(Paths.escape(name));
    if (cs.masked()) {
      compareMasked(unmask(va), unmask(vb));
    } else {
      walk(va, vb, cs);
    }
    path.setLength(mark);
  }

  private void compareLists(Object a, ValueKind ka, Object b, ValueKind kb, RuleTree.State st) {
    List<?> x = Values.asList(a, ka);
    List<?> y = Values.asList(b, kb);
    String key = st.identityKey();
    if (key != null && compareByKey(x, y, key, st)) {
      return;
    }
    String pairName = key == null ? namedPairs(x, y) : null;
    if (pairName != null && compareByKey(x, y, pairName, st)) {
      return; // headers[name=Authorization].value: the name says what the value is (and whether to redact it)
    }
    int n = Math.min(x.size(), y.size());
    int mark = path.length();
    for (int i = 0; i < n; i++) {
      path.append('[').append(i).append(']');
      walk(x.get(i), y.get(i), st);
      path.setLength(mark);
    }
    for (int i = n; i < x.size(); i++) {
      path.append('[').append(i).append(']');
      walk(x.get(i), null, st);
      path.setLength(mark);
    }
    for (int i = n; i < y.size(); i++) {
      path.append('[').append(i).append(']');
      walk(null, y.get(i), st);
      path.setLength(mark);
    }
  }

  /** Matches items by identity key; false (compare by position) when an item has no usable or a duplicate key. */
  private boolean compareByKey(List<?> x, List<?> y, String key, RuleTree.State st) {
    Map<String, Object> ix = byKey(x, key, "before");
    Map<String, Object> iy = ix == null ? null : byKey(y, key, "after");
    if (iy == null) {
      return false;
    }
    int mark = path.length();
    String prefix = "[" + Paths.escape(key) + "=";
    for (Map.Entry<String, Object> e : ix.entrySet()) {
      path.append(prefix).append(Paths.escape(e.getKey())).append(']');
      walk(e.getValue(), iy.get(e.getKey()), st);
      path.setLength(mark);
    }
    for (Map.Entry<String, Object> e : iy.entrySet()) {
      if (!ix.containsKey(e.getKey())) {
        path.append(prefix).append(Paths.escape(e.getKey())).append(']');
        walk(null, e.getValue(), st);
        path.setLength(mark);
      }
    }
    return true;
  }

  /**
   * The member that names the items when both lists hold only name/value pairs, as HTTP logs keep
   * headers, cookies and query parameters ({@code {"name": "Accept", "value": "..."}}): objects of
   * at most 8 members with a {@code value} and a text name. Such lists are compared by that name,
   * so a change reads {@code headers[name=Authorization].value} rather than {@code headers[0].value}.
   * Null when they are anything else.
   */
  private String namedPairs(List<?> x, List<?> y) {
    if (x.isEmpty() && y.isEmpty()) {
      return null;
    }
    for (String name : NameValuePairs.NAMES) {
      if (allPairs(x, name, "before") && allPairs(y, name, "after")) {
        return name;
      }
    }
    return null;
  }

  private boolean allPairs(List<?> items, String name, String side) {
    for (Object item : items) {
      Object u = unwrap(item, side);
      if (u == null) {
        return false;
      }
      ValueKind k = Values.kind(u);
      if (k.shape() != ValueKind.Shape.OBJECT || Values.size(u, k) > NameValuePairs.MAX_MEMBERS
          || Values.property(u, k, NameValuePairs.VALUE) == null) {
        return false;
      }
      Object n = unwrap(Values.property(u, k, name), side);
      if (n == null || !(n instanceof CharSequence || (n instanceof JsonNode j && j.isTextual()))) {
        return false;
      }
    }
    return true;
  }

  private Map<String, Object> byKey(List<?> items, String key, String itemSide) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (Object item : items) {
      Object u = unwrap(item, itemSide);
      if (u == null) {
        return null;
      }
      ValueKind k = Values.kind(u);
      if (k.shape() != ValueKind.Shape.OBJECT) {
        return null;
      }
      Object id = unwrap(Values.property(u, k, key), itemSide);
      if (id == null) {
        return null;
      }
      ValueKind ik = Values.kind(id);
      if (ik.shape() != ValueKind.Shape.SCALAR || out.put(Scalars.selector(id, ik), u) != null) {
        return null;
      }
    }
    return out;
  }

  private void compareMasked(Object a, Object b) {
    List<FieldChange> probe = new ArrayList<>(1);
    DiffWalker w = new DiffWalker(probe);
    w.depth = depth;
    w.walk(a, b, RuleTree.EMPTY.start());
    if (!probe.isEmpty()) {
      Object ua = unwrap(a, "before");
      Object ub = unwrap(b, "after");
      out.add(FieldChange.of(currentPath(), ua == null ? NullNode.getInstance() : REDACTED,
          ub == null ? NullNode.getInstance() : REDACTED));
    }
  }

  private void emit(Object a, Object b, RuleTree.State st) {
    side = "before";
    JsonNode from = project(a, st);
    side = "after";
    JsonNode to = project(b, st);
    side = "";
    if (!st.included() && from.equals(to)) {
      return;
    }
    out.add(FieldChange.of(currentPath(), from, to));
  }

  // ---------------------------------------------------------------- snapshots

  private JsonNode project(Object v, RuleTree.State st) {
    if (v instanceof Values.Masked m) {
      return unwrap(m.value(), side) == null ? NullNode.getInstance() : REDACTED;
    }
    Object u = unwrap(v, side);
    if (u == null) {
      return NullNode.getInstance();
    }
    ValueKind k = Values.kind(u);
    if (k.shape() == ValueKind.Shape.SCALAR) {
      return Scalars.toNode(u, k);
    }
    if (++depth > MAX_DEPTH) {
      throw tooDeep();
    }
    try {
      if (k.shape() == ValueKind.Shape.ARRAY) {
        ArrayNode arr = Json.nodes().arrayNode();
        for (Object item : Values.asList(u, k)) {
          arr.add(project(item, st));
        }
        return arr;
      }
      ObjectNode obj = Json.nodes().objectNode();
      if (k == ValueKind.BEAN) {
        BeanInfo info = Values.bean(u.getClass());
        for (int i = 0; i < info.size; i++) {
          if (!info.ignored[i]) {
            int mark = push(info.pathNames[i]);
            Object val = read(info, u, i, side);
            projectChild(obj, info.names[i], info.masked[i] ? new Values.Masked(val) : val, st);
            path.setLength(mark);
          }
        }
      } else {
        for (Map.Entry<?, ?> e : entries(u, k, side).entrySet()) {
          int mark = push(Paths.escape((String) e.getKey()));
          projectChild(obj, (String) e.getKey(), e.getValue(), st);
          path.setLength(mark);
        }
      }
      return obj;
    } finally {
      depth--;
    }
  }

  private void projectChild(ObjectNode obj, String name, Object value, RuleTree.State st) {
    RuleTree.State cs = st.child(name);
    if (cs.ignored() || cs.excluded()) {
      return;
    }
    if (cs.masked()) {
      obj.set(name, unwrap(unmask(value), side) == null ? NullNode.getInstance() : REDACTED);
      return;
    }
    if (!cs.included() && !(value instanceof Values.Masked)) {
      Object u = unwrap(value, side);
      if (u == null || Values.kind(u).shape() == ValueKind.Shape.SCALAR) {
        return;
      }
    }
    obj.set(name, project(value, cs));
  }

  // ---------------------------------------------------------------- helpers

  private Map<?, ?> entries(Object v, ValueKind k, String s) {
    if (k == ValueKind.MAP && Values.stringKeys((Map<?, ?>) v)) {
      return (Map<?, ?>) v;
    }
    try {
      return Values.entries(v, k);
    } catch (ValueAccessException e) {
      throw new ValueAccessException(where(s, e.where()), e.getCause() == null ? e : e.getCause());
    }
  }

  private Object read(BeanInfo info, Object bean, int i, String s) {
    try {
      return info.get(bean, i);
    } catch (ValueAccessException e) {
      throw new ValueAccessException(where(s, null), e.getCause());
    }
  }

  private Object unwrap(Object v, String s) {
    try {
      return Values.unwrap(v);
    } catch (ValueAccessException e) {
      throw new ValueAccessException(where(s, null), e.getCause());
    }
  }

  private static Object unmask(Object v) {
    return v instanceof Values.Masked m ? m.value() : v;
  }

  private String where(String s, String extra) {
    StringBuilder sb = new StringBuilder(s);
    if (path.length() > 0) {
      sb.append(sb.length() > 0 ? "." : "").append(path);
    }
    if (extra != null && !extra.isEmpty()) {
      sb.append(sb.length() > 0 ? "." : "").append(extra);
    }
    return sb.toString();
  }

  private ValueAccessException tooDeep() {
    return new ValueAccessException(where(side, null),
        "nested deeper than " + MAX_DEPTH + " levels (a reference cycle?)");
  }

  private int push(String escapedName) {
    int mark = path.length();
    if (mark > 0) {
      path.append('.');
    }
    path.append(escapedName);
    return mark;
  }

  private String currentPath() {
    return path.length() == 0 ? Paths.ROOT : path.toString();
  }
}

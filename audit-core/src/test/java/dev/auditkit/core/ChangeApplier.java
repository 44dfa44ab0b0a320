package dev.auditkit.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Test-side patch applier: applies {@link FieldChange}s (as {@link ChangeDiffer} writes them) to a
 * JSON tree, written independently of the differ from the documented path syntax.
 */
final class ChangeApplier {
  private static final JsonNodeFactory NODES = JsonNodeFactory.withExactBigDecimals(true);

  private ChangeApplier() {}

  /** One step of a path: a property name, a list position, or a list item by key. */
  record Segment(String name, int index, String key, String keyValue) {
    boolean isName() {
      return name != null;
    }

    boolean isIndex() {
      return index >= 0;
    }
  }

  static List<Segment> parse(String path) {
    List<Segment> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    boolean pendingName = false;
    int i = 0;
    while (i < path.length()) {
      char c = path.charAt(i);
      if (c == '\\') {
        cur.append(path.charAt(i + 1));
        pendingName = true;
        i += 2;
      } else if (c == '.') {
        out.add(nameSegment(cur));
        pendingName = false;
        i++;
      } else if (c == '[') {
        if (pendingName || cur.length() > 0) {
          out.add(nameSegment(cur));
          pendingName = false;
        }
        StringBuilder inner = new StringBuilder();
        i++;
        while (path.charAt(i) != ']') {
          if (path.charAt(i) == '\\') {
            inner.append(path.charAt(i + 1));
            i += 2;
          } else {
            inner.append(path.charAt(i++));
          }
        }
        i++;
        String s = inner.toString();
        int eq = s.indexOf('=');
        out.add(eq < 0 ? new Segment(null, Integer.parseInt(s), null, null)
            : new Segment(null, -1, s.substring(0, eq), s.substring(eq + 1)));
        if (i < path.length() && path.charAt(i) == '.') {
          i++;
        }
      } else {
        cur.append(c);
        pendingName = true;
        i++;
      }
    }
    if (pendingName || cur.length() > 0) {
      out.add(nameSegment(cur));
    }
    return out;
  }

  private static Segment nameSegment(StringBuilder cur) {
    String n = cur.toString();
    cur.setLength(0);
    return new Segment(n.equals("\"\"") ? "" : n, -1, null, null);
  }

  /** {@code root} (a copy) with the changes applied. */
  static JsonNode apply(JsonNode root, List<FieldChange> changes) {
    JsonNode doc = root == null || root.isNull() ? null : root.deepCopy();
    for (FieldChange c : changes) {
      if (c.path().equals("$")) {
        doc = c.to();
        continue;
      }
      List<Segment> segs = parse(c.path());
      if (doc == null) {
        doc = segs.get(0).isName() ? NODES.objectNode() : NODES.arrayNode();
      }
      JsonNode parent = doc;
      for (int i = 0; i < segs.size() - 1; i++) {
        parent = step(parent, segs.get(i));
        if (parent == null) {
          throw new AssertionError("path " + c.path() + " does not exist in the document");
        }
      }
      set(parent, segs.get(segs.size() - 1), c.to());
    }
    return dropTrailingNulls(doc);
  }

  private static JsonNode step(JsonNode node, Segment s) {
    if (s.isName()) {
      return node.get(s.name());
    }
    if (s.isIndex()) {
      return node.get(s.index());
    }
    for (JsonNode item : node) {
      if (selector(item.get(s.key())).equals(s.keyValue())) {
        return item;
      }
    }
    return null;
  }

  private static void set(JsonNode parent, Segment s, JsonNode to) {
    if (s.isName()) {
      ObjectNode o = (ObjectNode) parent;
      if (to.isNull()) {
        o.remove(s.name());
      } else {
        o.set(s.name(), to);
      }
      return;
    }
    ArrayNode a = (ArrayNode) parent;
    if (s.isIndex()) {
      if (s.index() < a.size()) {
        a.set(s.index(), to);
      } else if (s.index() == a.size()) {
        a.add(to);
      } else {
        throw new AssertionError("index " + s.index() + " beyond " + a.size());
      }
      return;
    }
    for (int i = 0; i < a.size(); i++) {
      if (selector(a.get(i).get(s.key())).equals(s.keyValue())) {
        if (to.isNull()) {
          a.remove(i);
        } else {
          a.set(i, to);
        }
        return;
      }
    }
    if (!to.isNull()) {
      a.add(to);
    }
  }

  private static String selector(JsonNode n) {
    if (n == null) {
      return "\u0000none";
    }
    return n.isNumber() ? n.decimalValue().stripTrailingZeros().toPlainString() : n.asText();
  }

  private static JsonNode dropTrailingNulls(JsonNode n) {
    if (n instanceof ArrayNode a) {
      while (a.size() > 0 && a.get(a.size() - 1).isNull()) {
        a.remove(a.size() - 1);
      }
      a.forEach(ChangeApplier::dropTrailingNulls);
    } else if (n instanceof ObjectNode o) {
      o.forEach(ChangeApplier::dropTrailingNulls);
    }
    return n;
  }

  /**
   * A canonical form for comparing trees: object fields sorted with null fields removed, numbers as
   * plain decimals without trailing zeros.
   */
  static JsonNode normalize(JsonNode n) {
    if (n == null || n.isNull() || n.isMissingNode()) {
      return NullNode.getInstance();
    }
    if (n.isObject()) {
      TreeMap<String, JsonNode> sorted = new TreeMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (!e.getValue().isNull()) {
          sorted.put(e.getKey(), normalize(e.getValue()));
        }
      }
      ObjectNode o = NODES.objectNode();
      sorted.forEach(o::set);
      return o;
    }
    if (n.isArray()) {
      ArrayNode a = NODES.arrayNode();
      n.forEach(x -> a.add(normalize(x)));
      return a;
    }
    if (n.isNumber()) {
      BigDecimal d = n.decimalValue().stripTrailingZeros();
      return NODES.numberNode(d.scale() < 0 ? d.setScale(0) : d);
    }
    return n;
  }
}

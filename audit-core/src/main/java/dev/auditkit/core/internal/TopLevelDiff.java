package dev.auditkit.core.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.TreeSet;

/**
 * Compares two JSON objects field by field at the top level. Numbers compare by value
 * ({@code 42.5} equals {@code 42.50}); nested values compare as whole trees.
 */
public final class TopLevelDiff {
  private TopLevelDiff() {}

  /** One difference: the field name and its values (NullNode when absent). */
  public record Difference(String field, JsonNode from, JsonNode to) {}

  /** Differences in field-name order; a non-object side is treated as a single field named {@code value}. */
  public static List<Difference> diff(JsonNode before, JsonNode after) {
    JsonNode a = before == null ? NullNode.getInstance() : before;
    JsonNode b = after == null ? NullNode.getInstance() : after;
    List<Difference> out = new ArrayList<>();
    if (!(a.isObject() || a.isNull()) || !(b.isObject() || b.isNull())) {
      if (!same(a, b)) {
        out.add(new Difference("value", a, b));
      }
      return out;
    }
    TreeSet<String> names = new TreeSet<>();
    a.fieldNames().forEachRemaining(names::add);
    b.fieldNames().forEachRemaining(names::add);
    for (String name : names) {
      JsonNode x = a.path(name);
      JsonNode y = b.path(name);
      x = x.isMissingNode() ? NullNode.getInstance() : x;
      y = y.isMissingNode() ? NullNode.getInstance() : y;
      if (!same(x, y)) {
        out.add(new Difference(name, x, y));
      }
    }
    return out;
  }

  /** Deep equality with numbers compared by value. */
  public static boolean same(JsonNode x, JsonNode y) {
    if (x.isNumber() && y.isNumber()) {
      return x.decimalValue().compareTo(y.decimalValue()) == 0;
    }
    if (x.getNodeType() != y.getNodeType()) {
      return false;
    }
    if (x.isObject()) {
      if (x.size() != y.size()) {
        return false;
      }
      Iterator<String> it = x.fieldNames();
      while (it.hasNext()) {
        String n = it.next();
        if (!y.has(n) || !same(x.get(n), y.get(n))) {
          return false;
        }
      }
      return true;
    }
    if (x.isArray()) {
      if (x.size() != y.size()) {
        return false;
      }
      for (int i = 0; i < x.size(); i++) {
        if (!same(x.get(i), y.get(i))) {
          return false;
        }
      }
      return true;
    }
    return x.equals(y);
  }
}

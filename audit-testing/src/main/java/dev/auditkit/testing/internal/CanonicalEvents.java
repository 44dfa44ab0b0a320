package dev.auditkit.testing.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.auditkit.core.AuditEvent;
import dev.auditkit.core.internal.EventJson;
import dev.auditkit.core.internal.Json;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A canonical text of an event for comparing what a store returns with what was written: every
 * string, time and key must be identical; object keys are sorted (databases may reorder them) and
 * numbers compare by value ({@code 5} written as a Java long reads back as an int node, {@code 1.50}
 * equals {@code 1.5}).
 */
public final class CanonicalEvents {
  private CanonicalEvents() {}

  public static String text(AuditEvent e) {
    return Json.text(canonical(EventJson.toJson(e)));
  }

  private static JsonNode canonical(JsonNode n) {
    if (n.isObject()) {
      ObjectNode out = Json.nodes().objectNode();
      List<String> keys = new ArrayList<>();
      n.fieldNames().forEachRemaining(keys::add);
      Collections.sort(keys);
      for (String k : keys) {
        out.set(k, canonical(n.get(k)));
      }
      return out;
    }
    if (n.isArray()) {
      ArrayNode out = Json.nodes().arrayNode();
      n.forEach(x -> out.add(canonical(x)));
      return out;
    }
    if (n.isNumber()) {
      java.math.BigDecimal v = n.decimalValue().stripTrailingZeros();
      return Json.nodes().textNode("#" + (v.signum() == 0 ? "0" : v.toPlainString()));
    }
    return n;
  }
}

package dev.auditkit.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link Json#sizeBound} lets {@link Json#capped} skip serialising: it must never be below the real size. */
class JsonSizeBoundTest {
  private static final String CHARS = "aZ09 \"\\\n\t\u0001\u007f\u00e9\u6771\uD83D\uDE00\u2028/";

  @Test
  void theBoundIsNeverBelowTheSerialisedSize() {
    SplittableRandom random = new SplittableRandom(42);
    for (int i = 0; i < 5_000; i++) {
      JsonNode node = tree(random, 0);
      long exact = Json.bytes(node).length;
      long bound = Json.sizeBound(node, Long.MAX_VALUE / 2);
      assertThat(bound).as("%s", node).isGreaterThanOrEqualTo(exact);
      long small = Json.sizeBound(node, exact / 2);
      assertThat(small > exact / 2 || exact / 2 >= exact).as("a walk cut short still reports over the limit").isTrue();
    }
  }

  @Test
  void arbitraryPrecisionNumbersCountAsOverTheLimit() {
    ObjectNode o = Json.nodes().objectNode().put("big", new BigDecimal("1E+400"));
    assertThat(Json.sizeBound(o, 1000)).isGreaterThan(1000);
    assertThat(Json.capped(o, 1000)).isEqualTo(o); // then capped measures it exactly
  }

  private static JsonNode tree(SplittableRandom r, int depth) {
    int kind = depth > 4 ? r.nextInt(6) : r.nextInt(8);
    switch (kind) {
      case 0: return Json.nodes().textNode(text(r));
      case 1: return Json.nodes().numberNode(r.nextLong());
      case 2: return Json.nodes().numberNode(r.nextDouble() * Math.pow(10, r.nextInt(-300, 300)));
      case 3: return Json.nodes().booleanNode(r.nextBoolean());
      case 4: return Json.nodes().nullNode();
      case 5: return Json.nodes().numberNode((float) r.nextDouble() * 1e30f);
      case 6: {
        ObjectNode o = Json.nodes().objectNode();
        for (int i = r.nextInt(6); i > 0; i--) {
          o.set(text(r), tree(r, depth + 1));
        }
        return o;
      }
      default: {
        ArrayNode a = Json.nodes().arrayNode();
        for (int i = r.nextInt(6); i > 0; i--) {
          a.add(tree(r, depth + 1));
        }
        return a;
      }
    }
  }

  private static String text(SplittableRandom r) {
    StringBuilder sb = new StringBuilder();
    for (int i = r.nextInt(12); i > 0; i--) {
      sb.append(CHARS.charAt(r.nextInt(CHARS.length())));
    }
    return sb.toString();
  }
}

package dev.auditkit.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** {@link Json#text} reuses generators; its output must be Jackson's own, value after value. */
class JsonTextTest {
  private static final JsonNodeFactory F = Json.nodes();

  private static String jackson(JsonNode n) throws Exception {
    return Json.MAPPER.writeValueAsString(n);
  }

  static List<JsonNode> trees() {
    List<JsonNode> out = new ArrayList<>();
    ObjectNode all = F.objectNode();
    all.put("int", 7).put("negLong", -9_007_199_254_740_993L).put("short", (short) 3)
        .put("float", 1.5f).put("double", -0.1).put("tiny", 1e-300).put("huge", Double.MAX_VALUE)
        .put("decimal", new BigDecimal("1234567890.123456789012345678901234567890"))
        .put("scaled", new BigDecimal("1E+5")).put("trailing", new BigDecimal("2.50"))
        .put("big", new BigInteger("123456789012345678901234567890"))
        .put("t", true).put("f", false).putNull("null")
        .put("text", "tab\tnew\nline\rquote\" back\\slash \u0001 \u001f \u007f é ✓ 😀 </script>")
        .put("loneHigh", "a\uD800b").put("bytes", new byte[] {0, 1, 2, (byte) 255});
    all.putArray("empty");
    all.putObject("emptyObj");
    all.putPOJO("pojo", java.util.Map.of("k", 1));
    ArrayNode deep = all.putArray("deep");
    ArrayNode cur = deep;
    for (int i = 0; i < 50; i++) {
      cur = cur.addArray();
      cur.add(i).addObject().put("k" + i, "v");
    }
    out.add(all);
    out.add(F.textNode("a root string"));
    out.add(F.numberNode(42));
    out.add(F.nullNode());
    out.add(F.missingNode());
    out.add(F.arrayNode());
    out.add(F.objectNode());
    out.add(F.booleanNode(true));
    ObjectNode large = F.objectNode();
    large.put("blob", "x".repeat(200_000));
    out.add(large);
    out.add(F.objectNode().put("after", "large")); // the buffer shrinks back, the text is still right
    return out;
  }

  @Test
  void sameTextAsJacksonForEveryNodeTypeValueAfterValue() throws Exception {
    for (int round = 0; round < 3; round++) {
      for (JsonNode n : trees()) {
        assertThat(Json.text(n)).isEqualTo(jackson(n));
      }
    }
  }

  @Test
  void missingNodeNestedIsWrittenAsJacksonDoes() throws Exception {
    ArrayNode a = F.arrayNode().add(F.missingNode());
    assertThat(Json.text(a)).isEqualTo(jackson(a));
  }

  @Test
  void threadsDoNotShareOutput() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Boolean>> results = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int id = t;
        results.add(pool.submit(() -> {
          for (int i = 0; i < 20_000; i++) {
            ObjectNode n = F.objectNode().put("thread", id).put("i", i).put("s", "v" + i * id);
            if (!Json.text(n).equals("{\"thread\":" + id + ",\"i\":" + i + ",\"s\":\"v" + i * id + "\"}")) {
              return false;
            }
          }
          return true;
        }));
      }
      for (Future<Boolean> f : results) {
        assertThat(f.get()).isTrue();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * A thread keeps no generator (a host's pool thread would otherwise pin it, and with it the class
   * loader): the one it used goes back to the slots when the value is written.
   */
  @Test
  void aThreadKeepsNoGenerator_itGoesBackToTheSlots() throws Exception {
    TreeText.POOL.clear();
    Thread th = new Thread(() -> Json.text(F.objectNode().put("a", 1)));
    th.start();
    th.join();
    assertThat(TreeText.POOL.waiting()).isPositive(); // (another test's leftover thread may add one)
    assertThat(Json.text(F.objectNode().put("b", 2))).isEqualTo("{\"b\":2}");
    assertThat(TreeText.POOL.waiting()).isPositive();
  }

  @Test
  void aFailedValueDoesNotSpoilTheNext() throws Exception {
    ObjectNode bad = F.objectNode();
    bad.putPOJO("unserialisable", new Object() {
      @SuppressWarnings("unused")
      public String getBoom() {
        throw new IllegalStateException("boom");
      }
    });
    bad.put("later", 1);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> Json.text(bad)).isInstanceOf(RuntimeException.class);
    ObjectNode good = F.objectNode().put("ok", "yes");
    assertThat(Json.text(good)).isEqualTo("{\"ok\":\"yes\"}");
  }

  @Test
  void nullIsTheJsonNull() {
    assertThat(Json.text(null)).isEqualTo("null");
  }

  /** A POJO whose serialisation itself serialises a tree on the same thread. */
  public static final class Reentrant {
    public String getInner() {
      return Json.text(F.objectNode().put("inner", true));
    }
  }

  @Test
  void aValueSerialisedWhileAnotherIsWritten_leavesBothWhole() throws Exception {
    ObjectNode outer = F.objectNode().put("before", 1);
    outer.putPOJO("pojo", new Reentrant());
    outer.put("after", 2);
    assertThat(Json.text(outer)).isEqualTo(jackson(outer))
        .isEqualTo("{\"before\":1,\"pojo\":{\"inner\":\"{\\\"inner\\\":true}\"},\"after\":2}");
    assertThat(Json.text(F.arrayNode().add(1))).isEqualTo("[1]");
  }
}

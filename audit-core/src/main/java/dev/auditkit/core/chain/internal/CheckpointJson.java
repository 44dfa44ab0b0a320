package dev.auditkit.core.chain.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.auditkit.core.chain.Checkpoint;
import dev.auditkit.core.internal.EventJson;
import dev.auditkit.core.internal.Json;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/** The JSON form of a checkpoint used by the file witness and the export. */
public final class CheckpointJson {
  private CheckpointJson() {}

  public static ObjectNode toJson(Checkpoint c) {
    ObjectNode n = Json.nodes().objectNode();
    n.put("chainId", c.chainId());
    n.put("sequence", c.sequence());
    n.put("headHash", c.headHash());
    n.put("time", EventJson.formatTime(c.time()));
    n.put("keyFingerprint", c.keyFingerprint());
    n.put("signature", c.signature());
    return n;
  }

  /**
   * @throws IllegalArgumentException naming the missing or malformed field
   */
  public static Checkpoint fromJson(JsonNode n) {
    if (n == null || !n.isObject()) {
      throw new IllegalArgumentException("checkpoint must be a JSON object");
    }
    JsonNode seq = n.get("sequence");
    if (seq == null || !seq.canConvertToExactIntegral() || !seq.canConvertToLong()) {
      throw new IllegalArgumentException("checkpoint.sequence must be an integer");
    }
    Instant time;
    try {
      time = Instant.parse(text(n, "time"));
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("checkpoint.time is not an ISO-8601 instant: " + text(n, "time"), e);
    }
    return Checkpoint.of(text(n, "chainId"), seq.asLong(), text(n, "headHash"), time, text(n, "keyFingerprint"),
        text(n, "signature"));
  }

  private static String text(JsonNode n, String key) {
    JsonNode v = n.get(key);
    if (v == null || !v.isTextual()) {
      throw new IllegalArgumentException("checkpoint." + key + " must be a string");
    }
    return v.textValue();
  }
}

package dev.auditkit.core.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.auditkit.core.InvalidAuditEventException;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Map;

/** The one Jackson setup auditkit uses, and helpers to turn host values into safe JSON trees. */
public final class Json {
  /** Key of the marker object that replaces an oversized JSON value. */
  public static final String OVERSIZE_KEY = "_auditkit_oversize";

  private static final int KEY_LENGTH = 256;

  public static final ObjectMapper MAPPER = JsonMapper.builder()
      .addModule(new JavaTimeModule())
      .addModule(new Jdk8Module())
      .addModule(AuditAnnotations.module())
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
      .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
      .nodeFactory(JsonNodeFactory.withExactBigDecimals(true))
      .build();

  private Json() {}

  public static JsonNodeFactory nodes() {
    return MAPPER.getNodeFactory();
  }

  /**
   * Converts a host value (a Jackson node, a Map, a POJO or record, a collection, a scalar) to a
   * detached JSON tree; null becomes {@link NullNode}.
   *
   * @throws InvalidAuditEventException naming {@code field} when Jackson cannot convert it
   */
  public static JsonNode toTree(Object value, String field) {
    if (value == null) {
      return NullNode.getInstance();
    }
    JsonNode tree;
    if (value instanceof JsonNode n) {
      tree = n.deepCopy();
    } else {
      try {
        tree = MAPPER.valueToTree(value);
      } catch (IllegalArgumentException e) {
        throw new InvalidAuditEventException(field, "cannot be converted to JSON: " + rootMessage(e));
      }
    }
    return holdsEmbedded(tree) ? plain(tree, field) : tree;
  }

  /**
   * Whether a tree holds a node that is not plain JSON: a POJO ({@code ObjectNode.putPOJO}) or raw
   * JSON text ({@code putRawValue}). Redaction and sanitising cannot look inside those, but writing
   * the tree would write what they hold.
   */
  private static boolean holdsEmbedded(JsonNode n) {
    if (n.isPojo()) {
      return true;
    }
    if (n.isContainerNode()) {
      for (JsonNode v : n) {
        if (holdsEmbedded(v)) {
          return true;
        }
      }
    }
    return false;
  }

  /** The tree written out and read back: plain JSON nodes only. */
  private static JsonNode plain(JsonNode tree, String field) {
    try {
      return MAPPER.readTree(MAPPER.writeValueAsString(tree));
    } catch (JsonProcessingException | IllegalArgumentException e) {
      throw new InvalidAuditEventException(field, "holds a value that is not valid JSON: " + rootMessage(e));
    }
  }

  /**
   * Like {@link #toTree} but the result must be a JSON object; null gives an empty object.
   *
   * @throws InvalidAuditEventException naming {@code field} for arrays, scalars and strings
   */
  public static ObjectNode toObject(Object value, String field) {
    if (value == null) {
      return nodes().objectNode();
    }
    if (value instanceof CharSequence) {
      throw new InvalidAuditEventException(field, "must be a JSON object (a Map, a POJO or an ObjectNode), not a string");
    }
    JsonNode tree = toTree(value, field);
    if (!tree.isObject()) {
      throw new InvalidAuditEventException(field, "must be a JSON object (a Map, a POJO or an ObjectNode), got " + tree.getNodeType());
    }
    return (ObjectNode) tree;
  }

  /** Parses JSON text that must hold an object. */
  public static ObjectNode parseObject(String json, String field) {
    if (json == null) {
      throw new InvalidAuditEventException(field, "must not be null");
    }
    JsonNode n;
    try {
      n = MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      throw new InvalidAuditEventException(field, "is not valid JSON: " + e.getOriginalMessage());
    }
    if (n == null || !n.isObject()) {
      throw new InvalidAuditEventException(field, "must be a JSON object");
    }
    return (ObjectNode) n;
  }

  /**
   * Cleans every string and key of a tree in place: NUL and other control characters (except TAB,
   * CR, LF in values) removed, lone surrogates replaced. Returns the same node, except for a
   * top-level string, which is returned as a new cleaned node.
   */
  public static JsonNode sanitize(JsonNode node) {
    if (node != null && node.isTextual()) {
      return cleanText(node);
    }
    if (node instanceof ObjectNode obj) {
      Iterator<Map.Entry<String, JsonNode>> it = obj.fields();
      ObjectNode renamed = null;
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        String key = e.getKey();
        String clean = Text.singleLine(key, KEY_LENGTH);
        JsonNode v = e.getValue();
        JsonNode cv = v.isTextual() ? cleanText(v) : sanitize(v);
        if (!clean.equals(key)) {
          it.remove();
          if (renamed == null) {
            renamed = nodes().objectNode();
          }
          renamed.set(clean.isEmpty() ? "_" : clean, cv);
        } else if (cv != v) {
          e.setValue(cv);
        }
      }
      if (renamed != null) {
        renamed.fields().forEachRemaining(e -> {
          if (!obj.has(e.getKey())) {
            obj.set(e.getKey(), e.getValue());
          }
        });
      }
    } else if (node instanceof ArrayNode arr) {
      for (int i = 0; i < arr.size(); i++) {
        JsonNode v = arr.get(i);
        JsonNode cv = v.isTextual() ? cleanText(v) : sanitize(v);
        if (cv != v) {
          arr.set(i, cv);
        }
      }
    }
    return node;
  }

  /**
   * Whether {@link #sanitize} leaves {@code node} as it is: no key or text holds what the model
   * removes, and no key is longer than it keeps.
   */
  public static boolean keptAsIs(JsonNode node) {
    if (node.isTextual()) {
      return Text.keptAsIs(node.textValue(), true);
    }
    if (node.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (!Text.singleLine(e.getKey(), KEY_LENGTH).equals(e.getKey()) || !keptAsIs(e.getValue())) {
          return false;
        }
      }
    } else if (node.isArray()) {
      for (JsonNode v : node) {
        if (!keptAsIs(v)) {
          return false;
        }
      }
    }
    return true;
  }

  private static JsonNode cleanText(JsonNode v) {
    String s = v.textValue();
    String c = Text.multiLine(s, Integer.MAX_VALUE);
    return c.equals(s) ? v : nodes().textNode(c);
  }

  /** Serialised UTF-8 bytes of a tree. */
  public static byte[] bytes(JsonNode node) {
    try {
      return MAPPER.writeValueAsBytes(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree could not be serialised", e);
    }
  }

  /** Compact JSON text of a tree. */
  public static String text(JsonNode node) {
    try {
      return TreeText.of(node);
    } catch (IOException e) {
      throw new IllegalStateException("a JSON tree could not be serialised", e);
    }
  }

  /**
   * {@code node} itself when it serialises to at most {@code maxBytes}, else a marker object
   * holding the original size and SHA-256 of the serialised value.
   */
  public static JsonNode capped(JsonNode node, int maxBytes) {
    if (node == null || node.isNull() || node.isMissingNode() || maxBytes == Integer.MAX_VALUE) {
      return node;
    }
    if (sizeBound(node, maxBytes) <= maxBytes) {
      return node; // surely small enough: no need to serialise it to find out
    }
    byte[] b = bytes(node);
    if (b.length <= maxBytes) {
      return node;
    }
    ObjectNode marker = nodes().objectNode();
    marker.put(OVERSIZE_KEY, true);
    marker.put("originalBytes", b.length);
    marker.put("sha256", sha256Hex(b));
    return marker;
  }

  /**
   * An upper bound of the size of {@code node} as compact UTF-8 JSON, found by walking the tree
   * without serialising it (a string char takes at most 6 bytes, as a six-character unicode escape); once
   * the bound passes {@code limit} the walk stops and returns a value above it. Arbitrary-precision
   * numbers and embedded objects, whose text length is not known without writing them, count as
   * over the limit.
   */
  public static long sizeBound(JsonNode node, long limit) {
    if (node.isTextual()) {
      return 2 + 6L * node.textValue().length();
    }
    if (node.isObject()) {
      long n = 2;
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext() && n <= limit; ) {
        Map.Entry<String, JsonNode> e = it.next();
        n += 4 + 6L * e.getKey().length() + sizeBound(e.getValue(), limit - n);
      }
      return n;
    }
    if (node.isArray()) {
      long n = 2;
      for (int i = 0; i < node.size() && n <= limit; i++) {
        n += 1 + sizeBound(node.get(i), limit - n);
      }
      return n;
    }
    if (node.isBigDecimal() || node.isBigInteger() || node.isPojo() || node.isBinary()) {
      return limit + 1;
    }
    return 32; // int, long, double, float, boolean, null: at most 24 characters
  }

  public static String sha256Hex(byte[] data) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every JDK", e);
    }
  }

  private static String rootMessage(Throwable t) {
    Throwable c = t;
    while (c.getCause() != null && c.getCause() != c) {
      c = c.getCause();
    }
    String m = c.getMessage();
    return m == null ? c.getClass().getSimpleName() : m;
  }
}

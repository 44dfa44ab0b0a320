package dev.auditkit.core.chain.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.POJONode;
import dev.auditkit.core.Actor;
import dev.auditkit.core.AuditEvent;
import dev.auditkit.core.FieldChange;
import dev.auditkit.core.RequestInfo;
import dev.auditkit.core.Resource;
import dev.auditkit.core.SourceInfo;
import dev.auditkit.core.internal.EventNodes;
import dev.auditkit.core.internal.Json;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Writes the canonical encoding (docs/canonical-encoding.md) into a reusable byte buffer. Not
 * thread-safe: one writer per thread or per sealer. The event's keys are written in their fixed
 * sorted order; JSON values inside the event (metadata, snapshots, change values) are sorted here.
 */
public final class CanonicalWriter {
  /** The prefix of every encoded event: version line. */
  public static final String PREFIX = "auditkit.event.v1\n";

  /** Orders strings by Unicode code point (not by UTF-16 unit as {@link String#compareTo} does). */
  public static final Comparator<String> CODE_POINT_ORDER = CanonicalWriter::compareCodePoints;

  /** Deepest nesting encoded; Jackson's default read limit, so nothing deeper can be read back. */
  public static final int MAX_DEPTH = 1000;

  private static final Comparator<Map.Entry<String, JsonNode>> ENTRY_ORDER =
      (a, b) -> compareCodePoints(a.getKey(), b.getKey());

  private static final Comparator<FieldChange> CHANGE_ORDER = CanonicalWriter::compareChanges;

  private static final byte[] HEX = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  private static final EventNodes.Access NODES = EventNodes.get();

  private byte[] buf = new byte[1024];
  private int len;
  /** Per nesting depth, the members of the object being written there, sorted. */
  private Map.Entry<String, JsonNode>[][] fieldArrays = newEntryArrays(4);

  /** Encodes {@code e} into this writer's buffer, replacing what it held. */
  public CanonicalWriter event(AuditEvent e) {
    len = 0;
    ascii(PREFIX);
    put('{');
    key("action", true);
    string(e.action());
    key("actor", false);
    actor(e.actor());
    if (!e.changes().isEmpty()) {
      key("changes", false);
      put('[');
      List<FieldChange> changes = e.changes();
      if (changes.size() > 1) {
        changes = new ArrayList<>(changes);
        changes.sort(CHANGE_ORDER);
      }
      boolean first = true;
      for (FieldChange c : changes) {
        if (!first) {
          put(',');
        }
        first = false;
        change(c);
      }
      put(']');
    }
    optional("fromState", e.fromState());
    key("id", false);
    string(e.id().toString());
    key("kind", false);
    string(e.kind().name());
    JsonNode metadata = NODES.metadata(e);
    if (metadata.size() > 0) {
      key("metadata", false);
      value(metadata, 0);
    }
    JsonNode newValue = NODES.newValue(e);
    if (newValue != null && !newValue.isNull() && !newValue.isMissingNode()) {
      key("newValue", false);
      value(newValue, 0);
    }
    key("occurredAt", false);
    time(e.occurredAt());
    JsonNode oldValue = NODES.oldValue(e);
    if (oldValue != null && !oldValue.isNull() && !oldValue.isMissingNode()) {
      key("oldValue", false);
      value(oldValue, 0);
    }
    key("outcome", false);
    string(e.outcome().name());
    RequestInfo r = e.request();
    if (!r.isEmpty()) {
      key("request", false);
      put('{');
      boolean f = optionalFirst("ip", r.ip(), true);
      f = optionalFirst("method", r.method(), f);
      f = optionalFirst("path", r.path(), f);
      f = optionalFirst("requestId", r.requestId(), f);
      optionalFirst("userAgent", r.userAgent(), f);
      put('}');
    }
    key("resource", false);
    resource(e.resource());
    SourceInfo s = e.source();
    if (!s.isEmpty()) {
      key("source", false);
      put('{');
      boolean f = optionalFirst("app", s.app(), true);
      f = optionalFirst("host", s.host(), f);
      optionalFirst("version", s.version(), f);
      put('}');
    }
    optional("tenantId", e.tenantId());
    optional("toState", e.toState());
    put('}');
    return this;
  }

  /** Encodes a single JSON value canonically (used for tests and the document's examples). */
  public CanonicalWriter json(JsonNode node) {
    len = 0;
    value(node, 0);
    return this;
  }

  public byte[] buffer() {
    return buf;
  }

  public int length() {
    return len;
  }

  public byte[] toByteArray() {
    return Arrays.copyOf(buf, len);
  }

  private void change(FieldChange c) {
    put('{');
    key("from", true);
    value(NODES.from(c), 0);
    key("path", false);
    string(c.path());
    key("to", false);
    value(NODES.to(c), 0);
    put('}');
  }

  private static int compareChanges(FieldChange a, FieldChange b) {
    int byPath = compareCodePoints(a.path(), b.path());
    if (byPath != 0) {
      return byPath;
    }
    CanonicalWriter x = new CanonicalWriter();
    x.len = 0;
    x.change(a);
    CanonicalWriter y = new CanonicalWriter();
    y.len = 0;
    y.change(b);
    return Arrays.compareUnsigned(x.buf, 0, x.len, y.buf, 0, y.len);
  }

  private void actor(Actor a) {
    put('{');
    boolean f = optionalFirst("email", a.email(), true);
    if (!a.extraIds().isEmpty()) {
      key("extraIds", f);
      f = false;
      String[] keys = a.extraIds().keySet().toArray(new String[0]);
      Arrays.sort(keys, CODE_POINT_ORDER);
      put('{');
      for (int i = 0; i < keys.length; i++) {
        key(keys[i], i == 0);
        string(a.extraIds().get(keys[i]));
      }
      put('}');
    }
    key("id", f);
    string(a.id());
    optionalFirst("org", a.org(), false);
    optionalFirst("role", a.role(), false);
    key("type", false);
    string(a.type().name());
    put('}');
  }

  private void resource(Resource r) {
    put('{');
    boolean f = optionalFirst("id", r.id(), true);
    f = optionalFirst("label", r.label(), f);
    key("type", f);
    string(r.type());
    put('}');
  }

  private void optional(String name, String value) {
    optionalFirst(name, value, false);
  }

  /** Writes the member when the value is present; returns whether the object is still empty. */
  private boolean optionalFirst(String name, String value, boolean first) {
    if (value == null) {
      return first;
    }
    key(name, first);
    string(value);
    return false;
  }

  private void key(String name, boolean first) {
    if (!first) {
      put(',');
    }
    string(name);
    put(':');
  }

  private void value(JsonNode n, int depth) {
    if (depth > MAX_DEPTH) {
      throw new IllegalArgumentException("JSON nested deeper than " + MAX_DEPTH + " levels");
    }
    JsonNodeType type = n.getNodeType();
    switch (type) {
      case OBJECT -> {
        Map.Entry<String, JsonNode>[] fields = sortedFields((ObjectNode) n, depth);
        int size = n.size();
        put('{');
        for (int i = 0; i < size; i++) {
          key(fields[i].getKey(), i == 0);
          value(fields[i].getValue(), depth + 1);
        }
        Arrays.fill(fields, 0, size, null); // a reused writer holds no event's values
        if (fields.length > 1024) {
          fieldArrays[depth] = null; // nor a rare huge object's array
        }
        put('}');
      }
      case ARRAY -> {
        put('[');
        for (int i = 0; i < n.size(); i++) {
          if (i > 0) {
            put(',');
          }
          value(n.get(i), depth + 1);
        }
        put(']');
      }
      case STRING -> string(n.textValue());
      case NUMBER -> number(n);
      case BOOLEAN -> ascii(n.booleanValue() ? "true" : "false");
      case NULL, MISSING -> ascii("null");
      case BINARY -> string(Base64.getEncoder().encodeToString(binary(n)));
      case POJO -> value(Json.toTree(((POJONode) n).getPojo(), "value"), depth + 1);
      default -> throw new IllegalArgumentException("unsupported JSON node type " + type);
    }
  }

  /**
   * The members of {@code n} in code point order of their keys, in this writer's array for
   * {@code depth} (reused from event to event; the first {@code n.size()} places are meaningful).
   */
  private Map.Entry<String, JsonNode>[] sortedFields(ObjectNode n, int depth) {
    int size = n.size();
    if (depth >= fieldArrays.length) {
      fieldArrays = Arrays.copyOf(fieldArrays, Math.max(depth + 1, fieldArrays.length * 2));
    }
    Map.Entry<String, JsonNode>[] fields = fieldArrays[depth];
    if (fields == null || fields.length < size) {
      fields = newEntries(Math.max(size, 8));
      fieldArrays[depth] = fields;
    }
    int k = 0;
    boolean sorted = true;
    for (Map.Entry<String, JsonNode> e : n.properties()) {
      fields[k] = e;
      sorted &= k == 0 || compareCodePoints(fields[k - 1].getKey(), e.getKey()) < 0;
      k++;
    }
    if (!sorted) {
      Arrays.sort(fields, 0, size, ENTRY_ORDER);
    }
    return fields;
  }

  @SuppressWarnings("unchecked")
  private static Map.Entry<String, JsonNode>[][] newEntryArrays(int n) {
    return new Map.Entry[n][];
  }

  @SuppressWarnings("unchecked")
  private static Map.Entry<String, JsonNode>[] newEntries(int n) {
    return new Map.Entry[n];
  }

  private static byte[] binary(JsonNode n) {
    try {
      return n.binaryValue();
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException("unreadable binary JSON value", e);
    }
  }

  private void number(JsonNode n) {
    switch (n.numberType()) {
      case INT, LONG -> ascii(Long.toString(n.longValue()));
      case BIG_INTEGER -> ascii(formatNumber(new BigDecimal(n.bigIntegerValue())));
      case BIG_DECIMAL -> ascii(formatNumber(n.decimalValue()));
      case FLOAT -> {
        float f = n.floatValue();
        if (Float.isFinite(f)) {
          ascii(formatNumber(new BigDecimal(Float.toString(f))));
        } else {
          string(nonFinite(f));
        }
      }
      case DOUBLE -> {
        double d = n.doubleValue();
        if (Double.isFinite(d)) {
          ascii(formatNumber(BigDecimal.valueOf(d)));
        } else {
          string(nonFinite(d));
        }
      }
      default -> throw new IllegalArgumentException("unsupported number type " + n.numberType());
    }
  }

  private static String nonFinite(double d) {
    return Double.isNaN(d) ? "NaN" : d > 0 ? "Infinity" : "-Infinity";
  }

  /**
   * The canonical text of a number: by value, no trailing zeros, plain notation when the decimal
   * exponent of the first digit is in [-7, 20], else {@code d[.ddd]e(+|-)x}. Zero is {@code 0}.
   */
  public static String formatNumber(BigDecimal value) {
    if (value.signum() == 0) {
      return "0";
    }
    BigDecimal v = value.stripTrailingZeros();
    long adjustedFast = (long) v.precision() - v.scale() - 1;
    if (adjustedFast >= -7 && adjustedFast <= 20) {
      return v.toPlainString(); // exactly the plain notation below, without building the digits twice
    }
    BigInteger unscaled = v.unscaledValue();
    String digits = unscaled.abs().toString();
    long exponent = -(long) v.scale(); // |v| = digits * 10^exponent
    int n = digits.length();
    long adjusted = exponent + n - 1;
    StringBuilder out = new StringBuilder(n + 12);
    if (unscaled.signum() < 0) {
      out.append('-');
    }
    if (adjusted >= -7 && adjusted <= 20) {
      if (exponent >= 0) {
        out.append(digits);
        out.append("0".repeat((int) exponent));
      } else if (adjusted >= 0) {
        out.append(digits, 0, (int) adjusted + 1).append('.').append(digits, (int) adjusted + 1, n);
      } else {
        out.append("0.");
        out.append("0".repeat((int) (-adjusted - 1)));
        out.append(digits);
      }
    } else {
      out.append(digits.charAt(0));
      if (n > 1) {
        out.append('.').append(digits, 1, n);
      }
      out.append('e').append(adjusted < 0 ? '-' : '+').append(Math.abs(adjusted));
    }
    return out.toString();
  }

  private void time(Instant t) {
    LocalDateTime d = LocalDateTime.ofEpochSecond(t.getEpochSecond(), 0, ZoneOffset.UTC);
    int year = d.getYear();
    if (year < 1 || year > 9999) {
      throw new IllegalArgumentException("occurredAt must be within years 0001-9999: " + t);
    }
    put('"');
    digits(year, 4);
    put('-');
    digits(d.getMonthValue(), 2);
    put('-');
    digits(d.getDayOfMonth(), 2);
    put('T');
    digits(d.getHour(), 2);
    put(':');
    digits(d.getMinute(), 2);
    put(':');
    digits(d.getSecond(), 2);
    put('.');
    digits(t.getNano() / 1000, 6);
    put('Z');
    put('"');
  }

  private void digits(int value, int width) {
    ensure(width);
    for (int i = width - 1; i >= 0; i--) {
      buf[len + i] = (byte) ('0' + value % 10);
      value /= 10;
    }
    len += width;
  }

  private void string(String s) {
    int n = s.length();
    ensure(n * 3 + 2);
    byte[] b = buf;
    int p = len;
    b[p++] = '"';
    int i = 0;
    for (; i < n; i++) { // printable ASCII, most of what is written, copied as it is
      char c = s.charAt(i);
      if (c >= 0x80 || c < 0x20 || c == '"' || c == '\\') {
        break;
      }
      b[p++] = (byte) c;
    }
    len = p;
    if (i < n) {
      stringRest(s, i);
    }
    ensure(1);
    buf[len++] = '"';
  }

  /** Writes {@code s} from {@code from} on, escaping and encoding as UTF-8 (the opening quote is written). */
  private void stringRest(String s, int from) {
    for (int i = from; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        if (c == '"' || c == '\\') {
          ensure(2 + (s.length() - i) * 3);
          buf[len++] = '\\';
          buf[len++] = (byte) c;
        } else if (c < 0x20) {
          ensure(6 + (s.length() - i) * 3);
          escapeControl(c);
        } else {
          buf[len++] = (byte) c;
        }
      } else if (c < 0x800) {
        buf[len++] = (byte) (0xC0 | (c >> 6));
        buf[len++] = (byte) (0x80 | (c & 0x3F));
      } else if (Character.isSurrogate(c)) {
        if (!Character.isHighSurrogate(c) || i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
          throw new IllegalArgumentException("string holds a lone surrogate at index " + i);
        }
        int cp = Character.toCodePoint(c, s.charAt(++i));
        buf[len++] = (byte) (0xF0 | (cp >> 18));
        buf[len++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
        buf[len++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
        buf[len++] = (byte) (0x80 | (cp & 0x3F));
      } else {
        buf[len++] = (byte) (0xE0 | (c >> 12));
        buf[len++] = (byte) (0x80 | ((c >> 6) & 0x3F));
        buf[len++] = (byte) (0x80 | (c & 0x3F));
      }
    }
  }

  private void escapeControl(char c) {
    buf[len++] = '\\';
    switch (c) {
      case '\b' -> buf[len++] = 'b';
      case '\f' -> buf[len++] = 'f';
      case '\n' -> buf[len++] = 'n';
      case '\r' -> buf[len++] = 'r';
      case '\t' -> buf[len++] = 't';
      default -> {
        buf[len++] = 'u';
        buf[len++] = '0';
        buf[len++] = '0';
        buf[len++] = HEX[c >> 4];
        buf[len++] = HEX[c & 0xF];
      }
    }
  }

  private void ascii(String s) {
    ensure(s.length());
    for (int i = 0; i < s.length(); i++) {
      buf[len++] = (byte) s.charAt(i);
    }
  }

  private void put(int b) {
    ensure(1);
    buf[len++] = (byte) b;
  }

  private void ensure(int extra) {
    if (len + extra > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + extra));
    }
  }

  static int compareCodePoints(String a, String b) {
    int n = Math.min(a.length(), b.length());
    for (int i = 0; i < n; i++) {
      char x = a.charAt(i);
      char y = b.charAt(i);
      if (x != y) {
        if (x >= 0xD800 && y >= 0xD800) {
          // surrogates encode code points above U+FFFF, so they sort after U+E000..U+FFFF
          return shift(x) - shift(y);
        }
        return x - y;
      }
    }
    return a.length() - b.length();
  }

  private static int shift(char c) {
    return c >= 0xE000 ? c - 0x800 : c + 0x2000;
  }
}

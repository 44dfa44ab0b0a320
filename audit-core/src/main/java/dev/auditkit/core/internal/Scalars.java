package dev.auditkit.core.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.TextNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;
import java.util.Calendar;
import java.util.Date;

/**
 * Comparing and writing single values. Numbers compare by value across types ({@code 42.5} equals
 * {@code 42.50} and {@code 42} equals {@code 42L}); points in time compare as instants and are
 * written in UTC; ISO-8601 strings with an offset compare as the instants they denote.
 */
public final class Scalars {
  private static final JsonNodeFactory NODES = Json.nodes();

  private static final ClassValue<JsonNode[]> ENUMS = new ClassValue<>() {
    @Override
    protected JsonNode[] computeValue(Class<?> c) {
      Object[] constants = c.getEnumConstants();
      JsonNode[] out = new JsonNode[constants.length];
      for (int i = 0; i < constants.length; i++) {
        out[i] = Json.MAPPER.valueToTree(constants[i]);
      }
      return out;
    }
  };

  private Scalars() {}

  /** Whether two non-null unwrapped scalars denote the same value. */
  public static boolean same(Object a, ValueKind ka, Object b, ValueKind kb) {
    if (a == b) {
      return true;
    }
    if (ka == kb && a.equals(b)) {
      return true;
    }
    boolean na = isNumber(a, ka);
    boolean nb = isNumber(b, kb);
    if (na || nb) {
      return na && nb && sameNumber(a, b);
    }
    boolean ba = isBoolean(a, ka);
    boolean bb = isBoolean(b, kb);
    if (ba || bb) {
      return ba && bb && bool(a) == bool(b);
    }
    Instant ia = ka == ValueKind.INSTANT ? instant(a) : null;
    Instant ib = kb == ValueKind.INSTANT ? instant(b) : null;
    if (ia != null || ib != null) {
      if (ia == null) {
        ia = parseInstant(text(a, ka));
      }
      if (ib == null) {
        ib = parseInstant(text(b, kb));
      }
      return ia != null && ia.equals(ib);
    }
    String ta = text(a, ka);
    String tb = text(b, kb);
    if (ta == null || tb == null) {
      return toNode(a, ka).equals(toNode(b, kb));
    }
    if (ta.equals(tb)) {
      return true;
    }
    Instant pa = parseInstant(ta);
    return pa != null && pa.equals(parseInstant(tb));
  }

  /** The JSON form of a non-null unwrapped scalar. */
  public static JsonNode toNode(Object v, ValueKind k) {
    switch (k) {
      case STRING:
        return TextNode.valueOf(v.toString());
      case INTEGRAL:
        return v instanceof Long l ? NODES.numberNode(l) : NODES.numberNode(((Number) v).intValue());
      case DECIMAL:
        return NODES.numberNode((BigDecimal) v);
      case FLOATING:
        return v instanceof Float f ? NODES.numberNode(f) : NODES.numberNode((Double) v);
      case BIG_INTEGER:
        return NODES.numberNode((BigInteger) v);
      case BOOLEAN:
        return BooleanNode.valueOf((Boolean) v);
      case ENUM:
        Enum<?> e = (Enum<?>) v;
        return ENUMS.get(e.getDeclaringClass())[e.ordinal()];
      case TO_STRING:
        return TextNode.valueOf(v.toString());
      case INSTANT:
        return TextNode.valueOf(utc(instant(v)));
      case JSON_VALUE:
        return (JsonNode) v;
      default:
        throw new IllegalArgumentException("not a scalar: " + k);
    }
  }

  /**
   * A short text for a scalar, used in identity selectors such as {@code [id=7]}: numbers in plain
   * notation without trailing zeros, instants in UTC.
   */
  public static String selector(Object v, ValueKind k) {
    if (isNumber(v, k)) {
      BigDecimal d = decimal(v);
      return d == null ? String.valueOf(v) : d.stripTrailingZeros().toPlainString();
    }
    if (k == ValueKind.INSTANT) {
      return utc(instant(v));
    }
    String t = text(v, k);
    return t != null ? t : toNode(v, k).asText();
  }

  private static boolean isNumber(Object v, ValueKind k) {
    return k == ValueKind.INTEGRAL || k == ValueKind.DECIMAL || k == ValueKind.FLOATING || k == ValueKind.BIG_INTEGER
        || (k == ValueKind.JSON_VALUE && ((JsonNode) v).isNumber());
  }

  private static boolean isBoolean(Object v, ValueKind k) {
    return k == ValueKind.BOOLEAN || (k == ValueKind.JSON_VALUE && ((JsonNode) v).isBoolean());
  }

  private static boolean bool(Object v) {
    return v instanceof Boolean b ? b : ((JsonNode) v).booleanValue();
  }

  private static boolean sameNumber(Object a, Object b) {
    BigDecimal x = decimal(a);
    BigDecimal y = decimal(b);
    if (x == null || y == null) {
      return doubleOf(a) == doubleOf(b) || (Double.isNaN(doubleOf(a)) && Double.isNaN(doubleOf(b)));
    }
    return x.compareTo(y) == 0;
  }

  private static double doubleOf(Object v) {
    return v instanceof JsonNode n ? n.doubleValue() : ((Number) v).doubleValue();
  }

  /** Exact decimal value, or null for NaN and infinities. */
  private static BigDecimal decimal(Object v) {
    if (v instanceof BigDecimal d) {
      return d;
    }
    if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
      return BigDecimal.valueOf(((Number) v).longValue());
    }
    if (v instanceof BigInteger i) {
      return new BigDecimal(i);
    }
    if (v instanceof Float f) {
      return f.isNaN() || f.isInfinite() ? null : new BigDecimal(f.toString());
    }
    if (v instanceof Double d) {
      return d.isNaN() || d.isInfinite() ? null : BigDecimal.valueOf(d);
    }
    JsonNode n = (JsonNode) v;
    if ((n.isDouble() || n.isFloat()) && (Double.isNaN(n.doubleValue()) || Double.isInfinite(n.doubleValue()))) {
      return null;
    }
    return n.decimalValue();
  }

  /** Text of a textual scalar; null for numbers, booleans and binary. */
  private static String text(Object v, ValueKind k) {
    switch (k) {
      case STRING:
      case TO_STRING:
        return v.toString();
      case ENUM:
        JsonNode n = toNode(v, k);
        return n.isTextual() ? n.textValue() : null;
      case INSTANT:
        return utc(instant(v));
      case JSON_VALUE:
        JsonNode j = (JsonNode) v;
        return j.isTextual() ? j.textValue() : null;
      default:
        return null;
    }
  }

  /**
   * {@code t.toString()} (ISO-8601 in UTC, fraction in groups of three digits) without the
   * formatter machinery, which allocates several objects per call.
   */
  public static String utc(Instant t) {
    long days = Math.floorDiv(t.getEpochSecond(), 86_400L);
    if (days < -719_528L || days > 2_932_896L) { // outside years 0000..9999
      return t.toString();
    }
    LocalDate date = LocalDate.ofEpochDay(days);
    int sod = (int) Math.floorMod(t.getEpochSecond(), 86_400L);
    char[] b = new char[30];
    int year = date.getYear();
    put(b, 0, year / 100, 2);
    put(b, 2, year % 100, 2);
    b[4] = '-';
    put(b, 5, date.getMonthValue(), 2);
    b[7] = '-';
    put(b, 8, date.getDayOfMonth(), 2);
    b[10] = 'T';
    put(b, 11, sod / 3600, 2);
    b[13] = ':';
    put(b, 14, sod / 60 % 60, 2);
    b[16] = ':';
    put(b, 17, sod % 60, 2);
    int len = 19;
    int nano = t.getNano();
    if (nano > 0) {
      b[len++] = '.';
      if (nano % 1_000_000 == 0) {
        put(b, len, nano / 1_000_000, 3);
        len += 3;
      } else if (nano % 1_000 == 0) {
        put(b, len, nano / 1_000, 6);
        len += 6;
      } else {
        put(b, len, nano, 9);
        len += 9;
      }
    }
    b[len++] = 'Z';
    return new String(b, 0, len);
  }

  private static void put(char[] b, int at, int value, int digits) {
    for (int i = at + digits - 1; i >= at; i--) {
      b[i] = (char) ('0' + value % 10);
      value /= 10;
    }
  }

  private static Instant instant(Object v) {
    if (v instanceof Instant i) {
      return i;
    }
    if (v instanceof OffsetDateTime o) {
      return o.toInstant();
    }
    if (v instanceof ZonedDateTime z) {
      return z.toInstant();
    }
    if (v instanceof Date d) {
      return d.toInstant();
    }
    return ((Calendar) v).toInstant();
  }

  /** The instant an ISO-8601 date-time with offset ({@code 2026-01-02T03:04:05+02:00}) denotes, or null. */
  static Instant parseInstant(String s) {
    if (s == null || s.length() < 20 || s.length() > 64 || s.charAt(4) != '-' || s.charAt(10) != 'T'
        || !Character.isDigit(s.charAt(0))) {
      return null;
    }
    try {
      return OffsetDateTime.parse(s).toInstant();
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}

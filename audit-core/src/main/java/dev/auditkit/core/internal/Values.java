package dev.auditkit.core.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.POJONode;
import java.lang.reflect.Array;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URI;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Calendar;
import java.util.Collection;
import java.util.Date;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.UUID;

/** Classifies host values and gives uniform access to their parts; per-class facts are cached. */
public final class Values {
  private static final ClassValue<ValueKind> KINDS = new ClassValue<>() {
    @Override
    protected ValueKind computeValue(Class<?> c) {
      return classify(c);
    }
  };

  private static final ClassValue<BeanInfo> BEANS = new ClassValue<>() {
    @Override
    protected BeanInfo computeValue(Class<?> c) {
      return BeanInfo.introspect(c);
    }
  };

  private Values() {}

  /** The kind of a non-null, unwrapped value. */
  public static ValueKind kind(Object v) {
    if (v instanceof JsonNode n) {
      if (n.isObject()) {
        return ValueKind.JSON_OBJECT;
      }
      return n.isArray() ? ValueKind.JSON_ARRAY : ValueKind.JSON_VALUE;
    }
    return KINDS.get(v.getClass());
  }

  static BeanInfo bean(Class<?> c) {
    return BEANS.get(c);
  }

  private static ValueKind classify(Class<?> c) {
    if (CharSequence.class.isAssignableFrom(c)) {
      return ValueKind.STRING;
    }
    if (c == Integer.class || c == Long.class || c == Short.class || c == Byte.class) {
      return ValueKind.INTEGRAL;
    }
    if (c == BigDecimal.class) {
      return ValueKind.DECIMAL;
    }
    if (c == Double.class || c == Float.class) {
      return ValueKind.FLOATING;
    }
    if (c == BigInteger.class) {
      return ValueKind.BIG_INTEGER;
    }
    if (c == Boolean.class) {
      return ValueKind.BOOLEAN;
    }
    if (Enum.class.isAssignableFrom(c)) {
      return ValueKind.ENUM;
    }
    if (c == Character.class || c == UUID.class || c == URI.class) {
      return ValueKind.TO_STRING;
    }
    if (c == Instant.class || c == OffsetDateTime.class || c == ZonedDateTime.class || c == Date.class
        || Calendar.class.isAssignableFrom(c)) {
      return ValueKind.INSTANT;
    }
    if (c == Optional.class || c == OptionalInt.class || c == OptionalLong.class || c == OptionalDouble.class) {
      return ValueKind.OPTIONAL;
    }
    if (Map.class.isAssignableFrom(c)) {
      return ValueKind.MAP;
    }
    if (List.class.isAssignableFrom(c)) {
      return ValueKind.LIST;
    }
    if (Collection.class.isAssignableFrom(c)) {
      return ValueKind.COLLECTION;
    }
    if (c.isArray()) {
      Class<?> e = c.getComponentType();
      if (e == byte.class || e == char.class) {
        return ValueKind.JACKSON;
      }
      return e.isPrimitive() ? ValueKind.PRIMITIVE_ARRAY : ValueKind.OBJECT_ARRAY;
    }
    if (c.getName().startsWith("java.") || c.getName().startsWith("javax.") || Number.class.isAssignableFrom(c)) {
      return ValueKind.JACKSON;
    }
    return bean(c) != null ? ValueKind.BEAN : ValueKind.JACKSON;
  }

  /**
   * Strips wrappers: Optional and its cousins, POJO nodes, JSON null and missing nodes (to null),
   * and converts values only Jackson knows how to write into trees.
   *
   * @throws ValueAccessException when Jackson cannot convert a value
   */
  public static Object unwrap(Object v) {
    while (true) {
      if (v == null) {
        return null;
      }
      if (v instanceof JsonNode n) {
        if (n.isNull() || n.isMissingNode()) {
          return null;
        }
        if (n instanceof POJONode p) {
          v = p.getPojo();
          continue;
        }
        return n;
      }
      ValueKind k = KINDS.get(v.getClass());
      if (k == ValueKind.OPTIONAL) {
        v = unwrapOptional(v);
      } else if (k == ValueKind.JACKSON) {
        try {
          JsonNode n = Json.MAPPER.valueToTree(v);
          return n == null || n.isNull() || n.isMissingNode() ? null : n;
        } catch (IllegalArgumentException e) {
          throw new ValueAccessException("", e);
        }
      } else {
        return v;
      }
    }
  }

  private static Object unwrapOptional(Object v) {
    if (v instanceof Optional<?> o) {
      return o.orElse(null);
    }
    if (v instanceof OptionalInt o) {
      return o.isPresent() ? o.getAsInt() : null;
    }
    if (v instanceof OptionalLong o) {
      return o.isPresent() ? o.getAsLong() : null;
    }
    OptionalDouble o = (OptionalDouble) v;
    return o.isPresent() ? o.getAsDouble() : null;
  }

  /** A list view of an array-shaped value. */
  public static List<?> asList(Object v, ValueKind k) {
    switch (k) {
      case LIST:
        return (List<?>) v;
      case COLLECTION:
        return new ArrayList<>((Collection<?>) v);
      case OBJECT_ARRAY:
        return Arrays.asList((Object[]) v);
      case JSON_ARRAY:
        ArrayNode a = (ArrayNode) v;
        return new AbstractList<JsonNode>() {
          @Override
          public JsonNode get(int i) {
            return a.get(i);
          }

          @Override
          public int size() {
            return a.size();
          }
        };
      case PRIMITIVE_ARRAY:
        return new AbstractList<Object>() {
          @Override
          public Object get(int i) {
            return Array.get(v, i);
          }

          @Override
          public int size() {
            return Array.getLength(v);
          }
        };
      default:
        throw new IllegalArgumentException("not a list: " + k);
    }
  }

  /**
   * The entries of an object-shaped value by name, in order. Bean properties marked
   * {@code @AuditIgnore} are left out; those marked {@code @AuditMasked} are wrapped in {@link Masked}.
   */
  public static Map<String, Object> entries(Object v, ValueKind k) {
    Map<String, Object> out = new LinkedHashMap<>();
    switch (k) {
      case MAP -> ((Map<?, ?>) v).forEach((key, val) -> out.put(keyName(key), val));
      case JSON_OBJECT -> ((ObjectNode) v).fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue()));
      case BEAN -> {
        BeanInfo b = bean(v.getClass());
        for (int i = 0; i < b.size; i++) {
          if (!b.ignored[i]) {
            Object val = b.get(v, i);
            out.put(b.names[i], b.masked[i] ? new Masked(val) : val);
          }
        }
      }
      default -> throw new IllegalArgumentException("not an object: " + k);
    }
    return out;
  }

  /** One property of an object-shaped value, or null. */
  public static Object property(Object v, ValueKind k, String name) {
    switch (k) {
      case MAP -> {
        return ((Map<?, ?>) v).get(name);
      }
      case JSON_OBJECT -> {
        return ((ObjectNode) v).get(name);
      }
      case BEAN -> {
        BeanInfo b = bean(v.getClass());
        int i = b.indexOf(name);
        return i < 0 ? null : b.get(v, i);
      }
      default -> {
        return null;
      }
    }
  }

  /** The number of entries of an object-shaped value (bean properties, ignored ones included). */
  public static int size(Object v, ValueKind k) {
    return switch (k) {
      case MAP -> ((Map<?, ?>) v).size();
      case JSON_OBJECT -> ((ObjectNode) v).size();
      case BEAN -> bean(v.getClass()).size;
      default -> 0;
    };
  }

  /** The JSON name of a map key: enums by name, anything else by {@code toString()}. */
  public static String keyName(Object key) {
    if (key instanceof String s) {
      return s;
    }
    if (key instanceof Enum<?> e) {
      return e.name();
    }
    return String.valueOf(key);
  }

  /** True when every key of the map is a String (so lookups by name work directly). */
  static boolean stringKeys(Map<?, ?> m) {
    for (Iterator<?> it = m.keySet().iterator(); it.hasNext(); ) {
      if (!(it.next() instanceof String)) {
        return false;
      }
    }
    return true;
  }

  /** A bean property value whose class asked for it to be masked. */
  public record Masked(Object value) {}
}

package dev.auditkit.core.internal;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonRawValue;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.SerializationConfig;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.ser.BeanPropertyWriter;
import com.fasterxml.jackson.databind.ser.BeanSerializer;
import com.fasterxml.jackson.databind.ser.PropertyWriter;
import dev.auditkit.core.AuditIgnore;
import dev.auditkit.core.AuditMasked;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The properties of a POJO or record as Jackson would write them (same names, same order, same
 * {@code @JsonIgnore}/{@code @JsonProperty}), read through Jackson's cached accessors so the
 * differ can walk getters without building a tree. Built once per class.
 */
public final class BeanInfo {
  final int size;
  final String[] names;
  final String[] pathNames;
  final boolean[] ignored;
  final boolean[] masked;
  private final BeanPropertyWriter[] writers;
  private final Map<String, Integer> index;

  private BeanInfo(List<BeanPropertyWriter> ws) {
    size = ws.size();
    names = new String[size];
    pathNames = new String[size];
    ignored = new boolean[size];
    masked = new boolean[size];
    writers = ws.toArray(new BeanPropertyWriter[0]);
    index = new HashMap<>(size * 2);
    for (int i = 0; i < size; i++) {
      BeanPropertyWriter w = writers[i];
      names[i] = w.getName();
      pathNames[i] = Paths.escape(w.getName());
      ignored[i] = w.getAnnotation(AuditIgnore.class) != null;
      masked[i] = w.getAnnotation(AuditMasked.class) != null;
      index.put(names[i], i);
    }
  }

  /**
   * The bean view of a class, or null when Jackson writes it some other way (a custom or
   * polymorphic serializer, {@code @JsonValue}, any-getters, filters, unwrapping, formats): such
   * values are converted with Jackson instead.
   */
  static BeanInfo introspect(Class<?> c) {
    try {
      SerializationConfig config = Json.MAPPER.getSerializationConfig();
      JavaType type = Json.MAPPER.constructType(c);
      SerializerProvider provider = Json.MAPPER.getSerializerProviderInstance();
      JsonSerializer<Object> ser = provider.findValueSerializer(type);
      if (ser == null || ser.getClass() != BeanSerializer.class) {
        return null;
      }
      BeanSerializer bean = (BeanSerializer) ser;
      if (bean.usesObjectId() || provider.findTypeSerializer(type) != null) {
        return null;
      }
      BeanDescription desc = config.introspect(type);
      if (desc.findAnyGetter() != null || desc.findJsonValueAccessor() != null
          || config.getAnnotationIntrospector().findFilterId(desc.getClassInfo()) != null) {
        return null;
      }
      List<BeanPropertyWriter> ws = new ArrayList<>();
      for (Iterator<PropertyWriter> it = bean.properties(); it.hasNext(); ) {
        PropertyWriter p = it.next();
        if (p.getClass() != BeanPropertyWriter.class && p.getClass() != AuditAnnotations.Masked.class) {
          return null; // (a masked property's writer reads the real value; the walk masks it itself)
        }
        BeanPropertyWriter w = (BeanPropertyWriter) p;
        if (w.getTypeSerializer() != null
            || w.getAnnotation(JsonSerialize.class) != null
            || w.getAnnotation(JsonFormat.class) != null
            || w.getAnnotation(JsonRawValue.class) != null) {
          return null;
        }
        ws.add(w);
      }
      return new BeanInfo(ws);
    } catch (JsonMappingException | RuntimeException e) {
      return null;
    }
  }

  /** Reads property {@code i} of {@code bean}. */
  Object get(Object bean, int i) {
    try {
      return writers[i].get(bean);
    } catch (Exception e) {
      throw new ValueAccessException(names[i], e);
    }
  }

  /** The index of a property, or -1. */
  int indexOf(String name) {
    Integer i = index.get(name);
    return i == null ? -1 : i;
  }
}

package dev.auditkit.core.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.PropertyName;
import com.fasterxml.jackson.databind.SerializationConfig;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.BeanPropertyWriter;
import com.fasterxml.jackson.databind.ser.BeanSerializerModifier;
import com.fasterxml.jackson.databind.util.NameTransformer;
import dev.auditkit.core.AuditIgnore;
import dev.auditkit.core.AuditMasked;
import java.util.ArrayList;
import java.util.List;

/**
 * Makes auditkit's Jackson setup honour {@link AuditMasked} and {@link AuditIgnore} wherever it
 * converts a host object: a snapshot or metadata given as a POJO or record, and a class the
 * {@code ChangeDiffer} hands to Jackson instead of walking it (one with {@code @JsonFormat}, a custom
 * serializer, ...). A masked property is written as {@code [REDACTED]} (null stays null), an ignored
 * one not at all. The differ's own walk reads the real values through {@link BeanInfo}, which
 * unwraps the masked writer, so it still records that a masked value changed.
 */
final class AuditAnnotations extends BeanSerializerModifier {
  /** What a masked property reads (as {@code RedactionPolicy.REDACTED}). */
  static final String REDACTED = "[REDACTED]";

  static SimpleModule module() {
    SimpleModule m = new SimpleModule("auditkit-annotations");
    m.setSerializerModifier(new AuditAnnotations());
    return m;
  }

  @Override
  public List<BeanPropertyWriter> changeProperties(SerializationConfig config, BeanDescription desc,
      List<BeanPropertyWriter> props) {
    List<BeanPropertyWriter> out = null;
    for (int i = 0; i < props.size(); i++) {
      BeanPropertyWriter w = props.get(i);
      boolean ignored = w.getAnnotation(AuditIgnore.class) != null;
      boolean masked = !ignored && w.getAnnotation(AuditMasked.class) != null;
      if ((ignored || masked) && out == null) {
        out = new ArrayList<>(props.subList(0, i));
      }
      if (masked) {
        out.add(new Masked(w));
      } else if (!ignored && out != null) {
        out.add(w);
      }
    }
    return out == null ? props : out;
  }

  /** Writes {@link #REDACTED} instead of the value; {@link #get} still reads the real one. */
  static final class Masked extends BeanPropertyWriter {
    private static final long serialVersionUID = 1L;

    Masked(BeanPropertyWriter base) {
      super(base);
    }

    private Masked(BeanPropertyWriter base, PropertyName name) {
      super(base, name);
    }

    /** A renamed copy (an unwrapping prefix, a naming strategy) stays masked. */
    @Override
    protected BeanPropertyWriter _new(PropertyName newName) {
      return new Masked(this, newName);
    }

    /** A masked value is written whole as the marker, never unwrapped into the fields it holds. */
    @Override
    public BeanPropertyWriter unwrappingWriter(NameTransformer unwrapper) {
      return this;
    }

    @Override
    public void serializeAsField(Object bean, JsonGenerator gen, SerializerProvider prov) throws Exception {
      if (get(bean) == null) {
        super.serializeAsField(bean, gen, prov); // null as configured (written or left out)
        return;
      }
      gen.writeFieldName(_name);
      gen.writeString(REDACTED);
    }

    @Override
    public void serializeAsElement(Object bean, JsonGenerator gen, SerializerProvider prov) throws Exception {
      if (get(bean) == null) {
        super.serializeAsElement(bean, gen, prov);
        return;
      }
      gen.writeString(REDACTED);
    }
  }
}

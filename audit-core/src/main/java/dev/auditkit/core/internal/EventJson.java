package dev.auditkit.core.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.auditkit.core.Actor;
import dev.auditkit.core.ActorType;
import dev.auditkit.core.AuditEvent;
import dev.auditkit.core.AuditLimits;
import dev.auditkit.core.EventKind;
import dev.auditkit.core.FieldChange;
import dev.auditkit.core.Outcome;
import dev.auditkit.core.RequestInfo;
import dev.auditkit.core.Resource;
import dev.auditkit.core.Seal;
import dev.auditkit.core.SourceInfo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Iterator;
import java.util.Map;
import java.util.UUID;

/**
 * The JSON form of an event used by log sinks, exports and the journal: field names as in
 * {@link AuditEvent}, absent values omitted, times as ISO-8601 UTC with exactly six fraction digits.
 */
public final class EventJson {
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

  private EventJson() {}

  private static EventNodes.Access nodes() {
    return EventNodes.get();
  }

  /** {@code uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'}. */
  public static String formatTime(Instant t) {
    return UtcTimes.fits(t) ? UtcTimes.append(t, 'T', "Z", new StringBuilder(27)).toString() : TIME.format(t);
  }

  public static ObjectNode toJson(AuditEvent e) {
    ObjectNode n = Json.nodes().objectNode();
    n.put("id", e.id().toString());
    n.put("occurredAt", formatTime(e.occurredAt()));
    putIf(n, "tenantId", e.tenantId());
    ObjectNode actor = n.putObject("actor");
    Actor a = e.actor();
    actor.put("type", a.type().name());
    actor.put("id", a.id());
    putIf(actor, "role", a.role());
    putIf(actor, "email", a.email());
    putIf(actor, "org", a.org());
    if (!a.extraIds().isEmpty()) {
      ObjectNode extra = actor.putObject("extraIds");
      a.extraIds().forEach(extra::put);
    }
    n.put("action", e.action());
    n.put("kind", e.kind().name());
    n.put("outcome", e.outcome().name());
    ObjectNode res = n.putObject("resource");
    res.put("type", e.resource().type());
    putIf(res, "id", e.resource().id());
    putIf(res, "label", e.resource().label());
    putIf(n, "fromState", e.fromState());
    putIf(n, "toState", e.toState());
    if (!e.changes().isEmpty()) {
      ArrayNode arr = n.putArray("changes");
      for (FieldChange c : e.changes()) {
        ObjectNode cn = arr.addObject();
        cn.put("path", c.path());
        cn.set("from", c.from());
        cn.set("to", c.to());
      }
    }
    if (e.oldValue() != null) {
      n.set("oldValue", e.oldValue());
    }
    if (e.newValue() != null) {
      n.set("newValue", e.newValue());
    }
    n.set("metadata", e.metadata());
    RequestInfo r = e.request();
    if (!r.isEmpty()) {
      ObjectNode rn = n.putObject("request");
      putIf(rn, "ip", r.ip());
      putIf(rn, "userAgent", r.userAgent());
      putIf(rn, "method", r.method());
      putIf(rn, "path", r.path());
      putIf(rn, "requestId", r.requestId());
    }
    SourceInfo s = e.source();
    if (!s.isEmpty()) {
      ObjectNode sn = n.putObject("source");
      putIf(sn, "app", s.app());
      putIf(sn, "version", s.version());
      putIf(sn, "host", s.host());
    }
    e.seal().ifPresent(seal -> {
      ObjectNode sn = n.putObject("seal");
      sn.put("chainId", seal.chainId());
      sn.put("sequence", seal.sequence());
      sn.put("previousHash", seal.previousHash());
      sn.put("hash", seal.hash());
    });
    return n;
  }

  /**
   * {@link #toJson} as compact UTF-8 bytes, written straight from the event without building the
   * tree first (the journal does this on the caller's thread for every event). Same bytes as
   * {@code Json.bytes(toJson(e))}.
   */
  public static byte[] bytes(AuditEvent e) {
    ByteArrayBuilder out = new ByteArrayBuilder(1024);
    try (JsonGenerator g = Json.MAPPER.getFactory().createGenerator(out)) {
      write(g, e);
    } catch (IOException ex) {
      throw new UncheckedIOException("an audit event could not be serialised", ex);
    }
    return out.toByteArray();
  }

  private static void write(JsonGenerator g, AuditEvent e) throws IOException {
    g.writeStartObject();
    g.writeStringField("id", e.id().toString());
    g.writeStringField("occurredAt", formatTime(e.occurredAt()));
    field(g, "tenantId", e.tenantId());
    Actor a = e.actor();
    g.writeObjectFieldStart("actor");
    g.writeStringField("type", a.type().name());
    g.writeStringField("id", a.id());
    field(g, "role", a.role());
    field(g, "email", a.email());
    field(g, "org", a.org());
    if (!a.extraIds().isEmpty()) {
      g.writeObjectFieldStart("extraIds");
      for (Map.Entry<String, String> x : a.extraIds().entrySet()) {
        g.writeStringField(x.getKey(), x.getValue());
      }
      g.writeEndObject();
    }
    g.writeEndObject();
    g.writeStringField("action", e.action());
    g.writeStringField("kind", e.kind().name());
    g.writeStringField("outcome", e.outcome().name());
    g.writeObjectFieldStart("resource");
    g.writeStringField("type", e.resource().type());
    field(g, "id", e.resource().id());
    field(g, "label", e.resource().label());
    g.writeEndObject();
    field(g, "fromState", e.fromState());
    field(g, "toState", e.toState());
    if (!e.changes().isEmpty()) {
      g.writeArrayFieldStart("changes");
      for (FieldChange c : e.changes()) {
        g.writeStartObject();
        g.writeStringField("path", c.path());
        g.writeFieldName("from");
        node(g, nodes().from(c));
        g.writeFieldName("to");
        node(g, nodes().to(c));
        g.writeEndObject();
      }
      g.writeEndArray();
    }
    JsonNode oldValue = nodes().oldValue(e); // read-only, without the public accessors' copies
    if (oldValue != null) {
      g.writeFieldName("oldValue");
      node(g, oldValue);
    }
    JsonNode newValue = nodes().newValue(e);
    if (newValue != null) {
      g.writeFieldName("newValue");
      node(g, newValue);
    }
    g.writeFieldName("metadata");
    node(g, nodes().metadata(e));
    RequestInfo r = e.request();
    if (!r.isEmpty()) {
      g.writeObjectFieldStart("request");
      field(g, "ip", r.ip());
      field(g, "userAgent", r.userAgent());
      field(g, "method", r.method());
      field(g, "path", r.path());
      field(g, "requestId", r.requestId());
      g.writeEndObject();
    }
    SourceInfo src = e.source();
    if (!src.isEmpty()) {
      g.writeObjectFieldStart("source");
      field(g, "app", src.app());
      field(g, "version", src.version());
      field(g, "host", src.host());
      g.writeEndObject();
    }
    if (e.seal().isPresent()) {
      Seal seal = e.seal().get();
      g.writeObjectFieldStart("seal");
      g.writeStringField("chainId", seal.chainId());
      g.writeNumberField("sequence", seal.sequence());
      g.writeStringField("previousHash", seal.previousHash());
      g.writeStringField("hash", seal.hash());
      g.writeEndObject();
    }
    g.writeEndObject();
  }

  /**
   * Writes a tree with the generator's own methods: {@code writeTree} sets up a serializer provider
   * per call, which costs more than writing a small value.
   */
  static void node(JsonGenerator g, JsonNode n) throws IOException {
    switch (n.getNodeType()) {
      case OBJECT -> {
        g.writeStartObject();
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> x = it.next();
          g.writeFieldName(x.getKey());
          node(g, x.getValue());
        }
        g.writeEndObject();
      }
      case ARRAY -> {
        g.writeStartArray();
        for (JsonNode v : n) {
          node(g, v);
        }
        g.writeEndArray();
      }
      case STRING -> g.writeString(n.textValue());
      case BOOLEAN -> g.writeBoolean(n.booleanValue());
      case NULL -> g.writeNull();
      case NUMBER -> {
        switch (n.numberType()) {
          case INT -> g.writeNumber(n.intValue());
          case LONG -> g.writeNumber(n.longValue());
          case DOUBLE -> g.writeNumber(n.doubleValue());
          case FLOAT -> g.writeNumber(n.floatValue());
          default -> g.writeTree(n); // BigDecimal and BigInteger: as the mapper is configured
        }
      }
      default -> g.writeTree(n); // binary, POJO, missing: rare, as Jackson writes them
    }
  }

  private static void field(JsonGenerator g, String name, String value) throws IOException {
    if (value != null) {
      g.writeStringField(name, value);
    }
  }

  /**
   * Reads the form written by {@link #toJson}. The event is rebuilt with
   * {@link AuditLimits#unlimited()}: a stored event is never cut a second time, so it hashes to
   * the same value it had when it was written.
   */
  public static AuditEvent fromJson(JsonNode n) {
    return fromJson(n, AuditLimits.unlimited());
  }

  /** Reads the form written by {@link #toJson}, sanitising with {@code limits}. */
  public static AuditEvent fromJson(JsonNode n, AuditLimits limits) {
    return builder(n).build(limits);
  }

  /**
   * Reads the form written by {@link #toJson} exactly as it is, to hash it (an export being
   * verified): a value the model would clean up is an {@code InvalidAuditEventException} (see
   * {@link EventNodes.Access#buildExact}).
   */
  public static AuditEvent fromJsonExact(JsonNode n) {
    return EventNodes.get().buildExact(builder(n));
  }

  private static AuditEvent.Builder builder(JsonNode n) {
    AuditEvent.Builder b = AuditEvent.builder()
        .id(UUID.fromString(n.get("id").asText()))
        .occurredAt(Instant.parse(n.get("occurredAt").asText()))
        .tenantId(text(n, "tenantId"))
        .action(text(n, "action"))
        .kind(EventKind.valueOf(n.get("kind").asText()))
        .outcome(Outcome.valueOf(n.get("outcome").asText()))
        .fromState(text(n, "fromState"))
        .toState(text(n, "toState"));
    JsonNode an = n.get("actor");
    Actor actor = Actor.of(ActorType.valueOf(an.get("type").asText()), an.get("id").asText())
        .role(text(an, "role"))
        .email(text(an, "email"))
        .org(text(an, "org"));
    JsonNode extra = an.get("extraIds");
    if (extra != null) {
      for (Map.Entry<String, JsonNode> x : (Iterable<Map.Entry<String, JsonNode>>) extra::fields) {
        actor = actor.extraId(x.getKey(), x.getValue().asText());
      }
    }
    b.actor(actor);
    JsonNode rn = n.get("resource");
    b.resource(Resource.of(rn.get("type").asText(), text(rn, "id")).label(text(rn, "label")));
    JsonNode changes = n.get("changes");
    if (changes != null) {
      for (JsonNode c : changes) {
        b.addChange(FieldChange.of(c.get("path").asText(), c.get("from"), c.get("to")));
      }
    }
    if (n.has("oldValue")) {
      b.oldValue(n.get("oldValue"));
    }
    if (n.has("newValue")) {
      b.newValue(n.get("newValue"));
    }
    if (n.has("metadata")) {
      b.metadata(n.get("metadata"));
    }
    JsonNode req = n.get("request");
    if (req != null) {
      b.request(RequestInfo.builder()
          .ip(text(req, "ip"))
          .userAgent(text(req, "userAgent"))
          .method(text(req, "method"))
          .path(text(req, "path"))
          .requestId(text(req, "requestId"))
          .build());
    }
    JsonNode src = n.get("source");
    if (src != null) {
      b.source(SourceInfo.of(text(src, "app"), text(src, "version"), text(src, "host")));
    }
    JsonNode seal = n.get("seal");
    if (seal != null) {
      b.seal(new Seal(seal.get("chainId").asText(), seal.get("sequence").asLong(),
          seal.get("previousHash").asText(), seal.get("hash").asText()));
    }
    return b;
  }

  private static void putIf(ObjectNode n, String key, String value) {
    if (value != null) {
      n.put(key, value);
    }
  }

  private static String text(JsonNode n, String key) {
    JsonNode v = n.get(key);
    return v == null || v.isNull() ? null : v.asText();
  }
}

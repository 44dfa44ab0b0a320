package dev.auditkit.core.internal;

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
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
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

  public static String formatTime(Instant t) {
    return TIME.format(t);
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
   * Reads the form written by {@link #toJson}. The event is rebuilt with
   * {@link AuditLimits#unlimited()}: a stored event is never cut a second time, so it hashes to
   * the same value it had when it was written.
   */
  public static AuditEvent fromJson(JsonNode n) {
    return fromJson(n, AuditLimits.unlimited());
  }

  /** Reads the form written by {@link #toJson}, sanitising with {@code limits}. */
  public static AuditEvent fromJson(JsonNode n, AuditLimits limits) {
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
    return b.build(limits);
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

package dev.auditkit.jdbc.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.auditkit.core.Actor;
import dev.auditkit.core.ActorType;
import dev.auditkit.core.AuditEvent;
import dev.auditkit.core.AuditLimits;
import dev.auditkit.core.EventKind;
import dev.auditkit.core.FieldChange;
import dev.auditkit.core.InvalidAuditEventException;
import dev.auditkit.core.Outcome;
import dev.auditkit.core.RequestInfo;
import dev.auditkit.core.Resource;
import dev.auditkit.core.Seal;
import dev.auditkit.core.SourceInfo;
import dev.auditkit.core.chain.internal.StandIns;
import dev.auditkit.core.internal.EventNodes;
import dev.auditkit.core.internal.IpAddresses;
import dev.auditkit.core.internal.Json;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * Rebuilds an {@link AuditEvent} from a row, exactly as it was written: built with
 * {@link AuditLimits#unlimited()}, so nothing stored is cut again.
 */
public final class EventReader implements RowMapper<AuditEvent> {
  /** Reads JSON columns as trees; made once (the mapper's readTree looks the tree type up per call). */
  private static final ObjectReader TREES = Json.MAPPER.reader();
  /**
   * A key twice in one object is no JSON auditkit writes, and readers disagree on which one counts.
   * Only JSON text can hold one (H2); PostgreSQL's jsonb keeps one value per key when it is stored.
   */
  private static final ObjectReader EXACT_TREES = TREES.with(StreamReadFeature.STRICT_DUPLICATE_DETECTION);

  private final Dialect dialect;
  private final String selectList;

  public EventReader(Dialect dialect) {
    this.dialect = dialect;
    this.selectList = selectList("");
  }

  /** The select list matching {@link #map}, each column qualified by {@code alias.} (for joins). */
  public String selectList(String alias) {
    String q = alias.isEmpty() ? "" : alias + ".";
    StringBuilder sb = new StringBuilder();
    for (String col : EventRow.COLUMNS) {
      if (sb.length() > 0) {
        sb.append(", ");
      }
      // inet: the address as text and its mask (host() leaves the mask out)
      sb.append(col.equals("ip") && dialect == Dialect.POSTGRESQL
          ? "host(" + q + "ip) as ip, masklen(" + q + "ip) as ip_mask" : q + col);
    }
    return sb.toString();
  }

  /** The select list matching {@link #map}. */
  public String selectList() {
    return selectList;
  }

  /**
   * The event of a query's row. A row that holds no event (changed behind the store's back) is
   * shown as the stand-in verify reports, naming what is wrong with it, rather than failing the
   * whole query (and with it, say, the viewer's page).
   */
  @Override
  public AuditEvent map(ResultSet rs, StatementContext ctx) throws SQLException {
    try {
      return read(rs);
    } catch (RuntimeException e) {
      if (!isRowProblem(e)) {
        throw e;
      }
      return unreadable(rs, null, e);
    }
  }

  /**
   * Stands in for a row that no longer holds an event auditkit could have written (a column changed
   * to a value the event model refuses or would clean up): named by the row's id, the cause in its
   * metadata; sealed by {@code seal} when verify reads it, where it does not hash to that seal.
   */
  static AuditEvent unreadable(ResultSet rs, Seal seal, RuntimeException cause) throws SQLException {
    OffsetDateTime at = rs.getObject("occurred_at", OffsetDateTime.class);
    UUID id = rs.getObject("id", UUID.class);
    Instant time = at == null ? null : at.toInstant();
    return seal != null
        ? StandIns.unreadable(id, time, String.valueOf(at), seal, cause.getMessage())
        : StandIns.unreadable(id, rs.getString("tenant_id"), time, String.valueOf(at), null, cause.getMessage());
  }

  public AuditEvent read(ResultSet rs) throws SQLException {
    return EventNodes.get().buildOwned(builder(rs, false), AuditLimits.unlimited());
  }

  /**
   * The event of the current row exactly as stored, for hashing it: as {@link #read}, but a row
   * holding what auditkit never writes is a {@link MalformedRowException} rather than an event the
   * model cleans up. Otherwise a control or bidi character, an empty text or reordered changes put
   * into a sealed row behind the store's back would be cleaned away before hashing, and the changed
   * row would verify.
   */
  public AuditEvent readExact(ResultSet rs) throws SQLException {
    return EventNodes.get().buildExact(builder(rs, true));
  }

  /**
   * The event of the current row as a builder that holds the row's own JSON trees: build it once,
   * with {@link EventNodes.Access#buildOwned} (or, if {@code exact}, {@code buildExact}), after
   * adding its seal.
   *
   * @param exact whether the row's JSON must be shaped exactly as auditkit writes it (see {@link #readExact})
   * @throws MalformedRowException when a column holds what no event of this version has
   */
  public AuditEvent.Builder builder(ResultSet rs, boolean exact) throws SQLException {
    Actor actor = Actor.of(constant(ActorType.class, rs, "actor_type"), rs.getString("actor_id"))
        .role(rs.getString("actor_role"))
        .email(rs.getString("actor_email"))
        .org(rs.getString("actor_org"));
    JsonNode extra = json(rs, "actor_extra_ids", exact);
    if (extra != null) {
      if (!extra.isObject()) {
        throw new MalformedRowException("column actor_extra_ids holds " + extra.getNodeType() + ", not an object");
      }
      if (exact && extra.isEmpty()) {
        throw new MalformedRowException("column actor_extra_ids holds {}, where auditkit stores null");
      }
      Map<String, String> ids = new TreeMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = extra.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (exact && !e.getValue().isTextual()) {
          throw new MalformedRowException("column actor_extra_ids holds a " + e.getValue().getNodeType() + " id");
        }
        ids.put(e.getKey(), e.getValue().asText());
      }
      actor = actor.extraIds(ids);
    }
    AuditEvent.Builder b = AuditEvent.builder()
        .id(rs.getObject("id", UUID.class))
        .occurredAt(rs.getObject("occurred_at", OffsetDateTime.class).toInstant())
        .tenantId(rs.getString("tenant_id"))
        .actor(actor)
        .action(rs.getString("action"))
        .kind(constant(EventKind.class, rs, "kind"))
        .outcome(constant(Outcome.class, rs, "outcome"))
        .resource(Resource.of(rs.getString("resource_type"), rs.getString("resource_id"))
            .label(rs.getString("resource_label")))
        .fromState(rs.getString("from_state"))
        .toState(rs.getString("to_state"));
    JsonNode changes = json(rs, "changes", exact);
    if (changes != null) {
      if (!changes.isArray()) {
        throw new MalformedRowException("column changes holds " + changes.getNodeType() + ", not an array");
      }
      if (exact && changes.isEmpty()) {
        throw new MalformedRowException("column changes holds [], where auditkit stores null");
      }
      for (JsonNode c : changes) {
        JsonNode path = c.get("path");
        if (path == null || !path.isTextual()) {
          throw new MalformedRowException("column changes holds an entry without a text path");
        }
        if (exact && (c.size() != 3 || !c.has("from") || !c.has("to"))) { // as the writer leaves them
          throw new MalformedRowException("column changes holds an entry that is not {path, from, to}");
        }
        b.addChange(FieldChange.of(path.textValue(), c.get("from"), c.get("to")));
      }
    }
    // the trees were just parsed and nobody else holds them: handed over without the setters' copies
    JsonNode metadata = json(rs, "metadata", exact);
    if (metadata != null && !metadata.isObject()) {
      b.metadata(metadata); // refused, naming the field, as any non-object metadata is
    }
    EventNodes.get().adoptJson(b, json(rs, "old_value", exact), json(rs, "new_value", exact), (ObjectNode) metadata);
    b.request(RequestInfo.builder()
        .ip(ip(rs, exact))
        .userAgent(rs.getString("user_agent"))
        .method(rs.getString("http_method"))
        .path(rs.getString("request_path"))
        .requestId(rs.getString("request_id"))
        .build());
    b.source(SourceInfo.of(rs.getString("source_app"), rs.getString("source_version"),
        rs.getString("source_host")));
    return b;
  }

  /**
   * The row's address. PostgreSQL stores it as {@code inet}, a value: its text is PostgreSQL's
   * (which writes {@code ::1.2.3.4} where auditkit writes {@code ::102:304}), so it is put in
   * auditkit's written form, and a mask that no address carries is refused when {@code exact} (a
   * text column, as on H2, holds the written form itself and is checked as it is).
   */
  private String ip(ResultSet rs, boolean exact) throws SQLException {
    String ip = rs.getString("ip");
    if (ip == null || dialect != Dialect.POSTGRESQL) {
      return ip;
    }
    if (exact && rs.getInt("ip_mask") != (ip.indexOf(':') >= 0 ? 128 : 32)) {
      throw new MalformedRowException("column ip holds a network (/" + rs.getInt("ip_mask") + "), not an address");
    }
    String normal = IpAddresses.normalize(ip);
    return normal == null ? ip : normal;
  }

  /**
   * Whether {@code e}, thrown while rebuilding a row, says the row holds no valid event (JSON that
   * does not parse or has the wrong shape, an unknown enum name, a value the event model refuses),
   * as opposed to the database failing or a bug, which must not pass for a tampered row.
   */
  public static boolean isRowProblem(Exception e) {
    return e instanceof MalformedRowException || e instanceof InvalidAuditEventException;
  }

  private static <E extends Enum<E>> E constant(Class<E> type, ResultSet rs, String column) throws SQLException {
    String name = rs.getString(column);
    try {
      return Enum.valueOf(type, name);
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new MalformedRowException("column " + column + " holds " + (name == null ? "null" : "'" + name + "'")
          + ", which is no " + type.getSimpleName() + " this version knows", e);
    }
  }

  private JsonNode json(ResultSet rs, String column, boolean exact) throws SQLException {
    String text = rs.getString(column);
    if (text == null) {
      return null;
    }
    JsonNode tree;
    try {
      tree = (exact && dialect != Dialect.POSTGRESQL ? EXACT_TREES : TREES).readTree(text);
    } catch (JsonProcessingException e) {
      throw new MalformedRowException("column " + column + " does not hold valid JSON: " + e.getOriginalMessage(), e);
    }
    return tree;
  }
}

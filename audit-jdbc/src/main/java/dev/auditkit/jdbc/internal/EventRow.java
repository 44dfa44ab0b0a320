package dev.auditkit.jdbc.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.auditkit.core.AuditEvent;
import dev.auditkit.core.FieldChange;
import dev.auditkit.core.chain.CanonicalEncoding;
import dev.auditkit.core.internal.EventNodes;
import dev.auditkit.core.InvalidAuditEventException;
import dev.auditkit.core.internal.Json;
import dev.auditkit.core.internal.UtcTimes;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * An event flattened into the column values of the event table, in {@link #COLUMNS} order. JSON
 * columns hold compact JSON text; every string is safe for PostgreSQL (no NUL anywhere, also not
 * as a {@code \u0000} escape inside JSON, which {@code jsonb} rejects).
 *
 * <p>The id and time are known at once; the column texts, whose JSON serialisation is most of the
 * cost, are made on first use, so that a writer streaming rows to the database serialises the next
 * rows while the server is still inserting the previous ones.
 */
public final class EventRow {
  /** The columns the store writes, in order; the table's other columns have defaults. */
  public static final List<String> COLUMNS = List.of(
      "id", "occurred_at", "tenant_id",
      "actor_type", "actor_id", "actor_role", "actor_email", "actor_org", "actor_extra_ids",
      "action", "kind", "outcome",
      "resource_type", "resource_id", "resource_label",
      "from_state", "to_state", "changes", "old_value", "new_value", "metadata",
      "ip", "user_agent", "http_method", "request_path", "request_id",
      "source_app", "source_version", "source_host");

  /** {@link #COLUMNS} plus the event hash: what the writers insert (readers select {@link #COLUMNS}). */
  public static final List<String> WRITE_COLUMNS = Stream.concat(COLUMNS.stream(), Stream.of("event_hash")).toList();

  /** Index of the first and last JSON column in {@link #COLUMNS}. */
  static final int ACTOR_EXTRA_IDS = 8;
  static final int CHANGES = 17;
  static final int OLD_VALUE = 18;
  static final int NEW_VALUE = 19;
  static final int METADATA = 20;
  /** Index of the IP column. */
  public static final int IP = 21;
  /** Index of the event hash column in {@link #WRITE_COLUMNS}. */
  public static final int EVENT_HASH = 29;

  final UUID id;
  final Instant occurredAt;
  private final AuditEvent event;
  private String[] text;

  private EventRow(AuditEvent event) {
    this.id = event.id();
    this.occurredAt = event.occurredAt();
    this.event = event;
  }

  public static boolean isJson(int column) {
    return column == ACTOR_EXTRA_IDS || (column >= CHANGES && column <= METADATA);
  }

  /**
   * The row of an event; its column texts are made on first use.
   *
   * @throws InvalidAuditEventException naming {@code occurredAt} when the time is outside years 1 to 9999
   */
  public static EventRow of(AuditEvent e) {
    Instant t = e.occurredAt();
    if (!UtcTimes.holdsEventTime(t)) {
      throw new InvalidAuditEventException("occurredAt", "must be between years 1 and 9999 to be stored, got " + t);
    }
    return new EventRow(e);
  }

  /** The column texts, made once. */
  String[] texts() {
    String[] v = text;
    if (v == null) {
      v = flatten(event);
      text = v;
    }
    return v;
  }

  /**
   * The column texts; the event hash is left out (null) when making the row safe for PostgreSQL
   * had to change a value, because the stored event then differs from {@code e}.
   */
  private static String[] flatten(AuditEvent e) {
    EventNodes.Access nodes = EventNodes.get();
    Flattener f = new Flattener();
    String[] v = new String[WRITE_COLUMNS.size()];
    v[0] = e.id().toString();
    v[1] = null; // the time is kept as an Instant
    v[2] = f.safe(e.tenantId());
    v[3] = e.actor().type().name();
    v[4] = f.safe(e.actor().id());
    v[5] = f.safe(e.actor().role());
    v[6] = f.safe(e.actor().email());
    v[7] = f.safe(e.actor().org());
    if (!e.actor().extraIds().isEmpty()) {
      ObjectNode extra = Json.nodes().objectNode();
      e.actor().extraIds().forEach(extra::put);
      v[ACTOR_EXTRA_IDS] = f.json(extra);
    }
    v[9] = e.action();
    v[10] = e.kind().name();
    v[11] = e.outcome().name();
    v[12] = f.safe(e.resource().type());
    v[13] = f.safe(e.resource().id());
    v[14] = f.safe(e.resource().label());
    v[15] = f.safe(e.fromState());
    v[16] = f.safe(e.toState());
    if (!e.changes().isEmpty()) {
      ArrayNode arr = Json.nodes().arrayNode();
      for (FieldChange c : e.changes()) {
        ObjectNode cn = arr.addObject();
        cn.put("path", c.path());
        cn.set("from", nodes.from(c)); // shared read-only, only serialised here
        cn.set("to", nodes.to(c));
      }
      v[CHANGES] = f.json(arr);
    }
    // the event's own trees, without the public accessors' copies: only serialised (never changed)
    JsonNode old = nodes.oldValue(e);
    v[OLD_VALUE] = old == null ? null : f.json(old);
    JsonNode nw = nodes.newValue(e);
    v[NEW_VALUE] = nw == null ? null : f.json(nw);
    v[METADATA] = f.json(nodes.metadata(e));
    v[IP] = e.request().ip();
    v[22] = f.safe(e.request().userAgent());
    v[23] = f.safe(e.request().method());
    v[24] = f.safe(e.request().path());
    v[25] = f.safe(e.request().requestId());
    v[26] = f.safe(e.source().app());
    v[27] = f.safe(e.source().version());
    v[28] = f.safe(e.source().host());
    v[EVENT_HASH] = f.altered ? null : "\\x" + HexFormat.of().formatHex(CanonicalEncoding.sha256(e));
    return v;
  }

  public UUID id() {
    return id;
  }

  public Instant occurredAt() {
    return occurredAt;
  }

  /** The value of column {@code i} as text (null for SQL NULL); column 1, the time, is null here. */
  public String text(int i) {
    return texts()[i];
  }

  /** The event hash (32 bytes), or null when the writer left it to the sealer. */
  public byte[] eventHash() {
    String hex = texts()[EVENT_HASH];
    return hex == null ? null : HexFormat.of().parseHex(hex, 2, hex.length());
  }

  /** Makes values safe for PostgreSQL and remembers whether that changed any. */
  private static final class Flattener {
    boolean altered;

    /** Removes NUL, which PostgreSQL text cannot hold. Events are already sanitised; this is the last wall. */
    String safe(String s) {
      if (s == null || s.indexOf('\0') < 0) {
        return s;
      }
      altered = true;
      return s.replace("\0", "");
    }

    String json(JsonNode n) {
      String s = Json.text(n);
      if (s.contains("\\u0000")) {
        // only reachable if a NUL got past the event's own sanitising; clean the tree, keep the rest
        altered = true;
        s = Json.text(Json.sanitize(n.deepCopy()));
      }
      return s;
    }
  }
}

package dev.auditkit.core.chain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.auditkit.core.AuditEvent;
import dev.auditkit.core.internal.EventJson;
import dev.auditkit.core.internal.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Wrote {@code docs/examples/canonical-vectors.json} once. The vectors of v1 are frozen: never
 * regenerate them for a code change; a change that alters them needs a new encoding version.
 * Run: {@code java -cp <test classpath> dev.auditkit.core.chain.WriteCanonicalVectors out.json}
 */
public final class WriteCanonicalVectors {
  static final String[][] EVENTS = {
      {"minimal, no tenant, anonymous actor, empty metadata omitted",
          "{\"outcome\":\"SUCCESS\",\"kind\":\"OTHER\",\"id\":\"01890a5d-ac96-7000-8000-000000000001\","
              + "\"occurredAt\":\"2026-01-02T03:04:05.000000Z\",\"actor\":{\"type\":\"ANONYMOUS\",\"id\":\"anonymous\"},"
              + "\"action\":\"login\",\"resource\":{\"type\":\"session\"},\"metadata\":{}}"},
      {"every field, keys in a scrambled order",
          "{\"toState\":\"PAID\",\"tenantId\":\"org-17\",\"source\":{\"version\":\"1.4.2\",\"host\":\"web-1\",\"app\":\"billing\"},"
              + "\"resource\":{\"type\":\"invoice\",\"label\":\"Invoice #42\",\"id\":\"inv-42\"},"
              + "\"request\":{\"userAgent\":\"Mozilla/5.0 (X11)\",\"requestId\":\"req-9\",\"path\":\"/api/invoices/42\",\"method\":\"PUT\",\"ip\":\"203.0.113.9\"},"
              + "\"outcome\":\"SUCCESS\",\"oldValue\":{\"status\":\"OPEN\",\"total\":42.50,\"lines\":[{\"qty\":1,\"sku\":\"A\"}]},"
              + "\"occurredAt\":\"2026-03-04T05:06:07.123456Z\",\"newValue\":{\"total\":42.5,\"status\":\"PAID\",\"lines\":[{\"sku\":\"A\",\"qty\":1.0}]},"
              + "\"metadata\":{\"apiRoute\":\"admin/invoices\",\"attempt\":3,\"flags\":[true,false,null]},"
              + "\"kind\":\"TRANSITION\",\"id\":\"01890a5d-ac96-7abc-8def-0123456789ab\",\"fromState\":\"OPEN\","
              + "\"changes\":[{\"to\":\"PAID\",\"path\":\"status\",\"from\":\"OPEN\"},{\"path\":\"paidAt\",\"from\":null,\"to\":\"2026-03-04\"}],"
              + "\"actor\":{\"type\":\"USER\",\"role\":\"admin\",\"org\":\"acme\",\"id\":\"u-42\",\"extraIds\":{\"workerId\":\"w-7\",\"badge\":\"b-1\"},\"email\":\"a@x.io\"},"
              + "\"action\":\"invoice.paid\"}"},
      {"numbers by value",
          "{\"id\":\"01890a5d-ac96-7000-8000-000000000003\",\"occurredAt\":\"2026-01-02T03:04:05.999999Z\",\"actor\":{\"type\":\"SYSTEM\",\"id\":\"system\"},"
              + "\"action\":\"numbers\",\"kind\":\"OTHER\",\"outcome\":\"SUCCESS\",\"resource\":{\"type\":\"n\"},"
              + "\"metadata\":{\"int\":100,\"neg\":-7,\"scaled\":42.50,\"one\":1.0,\"negZero\":-0.0,\"zeroScaled\":0.000,"
              + "\"big\":12345678901234567890123,\"huge\":1E+300,\"tiny\":1.5E-10,\"micro\":0.000001,\"small\":0.0000001,"
              + "\"e20\":123456789012345678901,\"e21\":1234567890123456789012,\"exp\":2.50e3,\"frac\":-0.125,"
              + "\"long\":9223372036854775807}}"},
      {"strings, escapes and key order by code point",
          "{\"id\":\"01890a5d-ac96-7000-8000-000000000004\",\"occurredAt\":\"1999-12-31T23:59:59.000001Z\",\"tenantId\":\"m\u00fcller-\u6771\u4eac\","
              + "\"actor\":{\"type\":\"SERVICE\",\"id\":\"svc \\\"quoted\\\" \\\\ back\"},\"action\":\"strings\",\"kind\":\"OTHER\",\"outcome\":\"FAILURE\","
              + "\"resource\":{\"type\":\"doc\",\"id\":\"\u00e9\u00e8\"},"
              + "\"metadata\":{\"b\":\"line1\\nline2\\ttab\\r\",\"a\":\"slash / and emoji \uD83D\uDE00\",\"\uE000\":\"private use\","
              + "\"\uD83D\uDE00\":\"astral key sorts after U+E000\",\"Z\":\"upper before lower\",\"\u00e9\":\"latin-1\",\"\":\"empty key\"}}"},
      {"null snapshots are omitted like absent ones",
          "{\"id\":\"01890a5d-ac96-7000-8000-000000000005\",\"occurredAt\":\"2026-01-02T03:04:05.000000Z\",\"tenantId\":\"org-17\","
              + "\"actor\":{\"type\":\"USER\",\"id\":\"u-1\"},\"action\":\"invoice.deleted\",\"kind\":\"DELETE\",\"outcome\":\"DENIED\","
              + "\"resource\":{\"type\":\"invoice\",\"id\":\"1\"},\"oldValue\":null,\"newValue\":[1,\"two\",{\"c\":3,\"b\":[]}],\"metadata\":{}}"},
  };

  private WriteCanonicalVectors() {}

  public static void main(String[] args) throws Exception {
    ObjectNode root = Json.nodes().objectNode();
    root.put("encoding", CanonicalEncoding.VERSION);
    root.put("note", "event: the event in the export form (docs/canonical-encoding.md); canonical: the encoded "
        + "bytes as a UTF-8 string; sha256: hex SHA-256 of those bytes. Frozen for auditkit.event.v1.");
    ArrayNode vectors = root.putArray("vectors");
    List<AuditEvent> tenantEvents = new ArrayList<>();
    for (String[] v : EVENTS) {
      JsonNode json = Json.MAPPER.readTree(v[1]);
      AuditEvent e = EventJson.fromJson(json);
      byte[] canonical = CanonicalEncoding.encode(e);
      ObjectNode o = vectors.addObject();
      o.put("name", v[0]);
      o.set("event", json);
      o.put("canonical", new String(canonical, StandardCharsets.UTF_8));
      o.put("sha256", CanonicalEncoding.sha256Hex(e));
      if ("org-17".equals(e.tenantId())) {
        tenantEvents.add(e);
      }
    }
    ObjectNode chain = root.putObject("chain");
    String chainId = ChainIds.forTenant("org-17");
    chain.put("chainId", chainId);
    chain.put("genesis", ChainSealer.genesisHash(chainId));
    ArrayNode links = chain.putArray("seals");
    ChainSealer sealer = ChainSealer.startingAt(ChainHead.empty(chainId));
    for (AuditEvent e : tenantEvents) {
      var s = sealer.seal(e);
      ObjectNode l = links.addObject();
      l.put("eventId", e.id().toString());
      l.put("sequence", s.sequence());
      l.put("previousHash", s.previousHash());
      l.put("hash", s.hash());
    }
    String text = Json.MAPPER.writer().with(SerializationFeature.INDENT_OUTPUT).writeValueAsString(root) + "\n";
    Files.writeString(Path.of(args[0]), text, StandardCharsets.UTF_8);
  }
}

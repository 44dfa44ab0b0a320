package dev.auditkit.core.chain;

import com.fasterxml.jackson.databind.JsonNode;
import dev.auditkit.core.Actor;
import dev.auditkit.core.AuditEvent;
import dev.auditkit.core.EventKind;
import dev.auditkit.core.FieldChange;
import dev.auditkit.core.Outcome;
import dev.auditkit.core.RequestInfo;
import dev.auditkit.core.Resource;
import dev.auditkit.core.SourceInfo;
import dev.auditkit.core.internal.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Events for the chain tests: every field set, deterministic ids and times. */
final class TestEvents {
  static final Path VECTORS = Path.of("..", "docs", "examples", "canonical-vectors.json");
  static final Path PYTHON_VERIFIER = Path.of("..", "docs", "examples", "verify_vectors.py");

  private TestEvents() {}

  static AuditEvent full(String tenant, int i) {
    Map<String, Object> meta = new LinkedHashMap<>();
    meta.put("zeta", i);
    meta.put("alpha", new BigDecimal("42.50"));
    meta.put("nested", Map.of("b", List.of(1, "two", true), "a", 1.5));
    return AuditEvent.builder()
        .id(new UUID(0x01890a5dac967000L, 0x8000000000000000L + i))
        .occurredAt(Instant.parse("2026-01-02T03:04:05.123456Z").plusSeconds(i))
        .tenantId(tenant)
        .actor(Actor.user("u-" + i).role("admin").email("a@x.io").org("acme").extraId("workerId", "w-" + i))
        .action("invoice.updated").kind(EventKind.UPDATE).outcome(Outcome.SUCCESS)
        .resource(Resource.of("invoice", "inv-" + i).label("Invoice #" + i))
        .fromState("OPEN").toState("PAID")
        .addChange(FieldChange.of("status", Json.nodes().textNode("OPEN"), Json.nodes().textNode("PAID")))
        .addChange(FieldChange.of("total", Json.nodes().numberNode(i), null))
        .oldValue(Map.of("status", "OPEN", "total", i))
        .newValue(Map.of("status", "PAID", "total", i))
        .metadata(meta)
        .request(RequestInfo.builder().ip("203.0.113.9").userAgent("UA/1").method("PUT").path("/api/x").requestId("r-" + i).build())
        .source(SourceInfo.of("billing", "1.0", "web-1"))
        .build();
  }

  /** A cheap event with only the required fields (for long chains). */
  static AuditEvent small(String tenant, int i) {
    return AuditEvent.builder()
        .id(new UUID(0x01890a5dac967000L, 0x8000000000000000L + i))
        .occurredAt(Instant.parse("2026-01-02T03:04:05.123456Z").plusSeconds(i))
        .tenantId(tenant).action("login").resource("session", Integer.toString(i))
        .build();
  }

  static List<AuditEvent> chain(String tenant, int n) {
    List<AuditEvent> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(full(tenant, i));
    }
    return out;
  }

  static JsonNode vectors() {
    try {
      return Json.MAPPER.readTree(VECTORS.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static boolean onCi() {
    return "true".equalsIgnoreCase(System.getenv("CI"));
  }

  /** The class path of this test JVM, for child JVMs. */
  static String testClassPath() {
    String cp = System.getProperty("surefire.test.class.path");
    return cp == null || cp.isBlank() ? System.getProperty("java.class.path") : cp;
  }

  static Path javaBinary() {
    return Path.of(System.getProperty("java.home"), "bin", "java");
  }
}

package dev.auditkit.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The README's integration guide, compiled and run; the README must quote this code exactly. */
class ReadmeGuideTest {

  @Test
  void integrationGuide_recordsWhoDidWhatToWhichRecord() {
    // guide:start
    // 1. Once, at startup: where events go.
    InMemoryAuditStore store = new InMemoryAuditStore(); // production: JdbcAuditStore, see below
    AuditLog audit = AuditLog.builder()
        .store(store)
        .source("facilities-portal", "4.2.0", "web-1")
        .build();

    // 2. Per request (the servlet filter will do this for you): who is acting, from where.
    AuditContext ctx = AuditContext.builder()
        .tenantId("org-17")
        .actor(Actor.user("u-42").role("admin").email("a@x.io"))
        .ipAddress("203.0.113.9").userAgent("Mozilla/5.0").requestId("req-7f3a")
        .build();

    // 3. In business code: record what happened.
    AuditContext.runWithAuditContext(ctx, () -> {
      audit.logAction("update_invoice", "invoice", "inv-1001", Map.of("status", "paid"));
      audit.updated("Job", "job-7",
          Map.of("status", "SCHEDULED", "notes", "gate 4"),
          Map.of("status", "SCHEDULED", "notes", "gate 5"));
      audit.transition("Job", "job-7", "SCHEDULED", "COMPLETED_PENDING_APPROVAL", Map.of("workerId", "w-3"));
      audit.securityEvent(SecurityEventType.FORBIDDEN, Map.of("path", "/api/admin/users"));
    });

    // 4. Read back (tests; JdbcAuditStore has findById and events(from, to, limit)): who, what, which record, when, where.
    AuditEvent update = store.events().get(1);
    // update.actor().id() -> "u-42"; update.changes() -> [notes: "gate 4" -> "gate 5"]
    // guide:end

    List<AuditEvent> events = store.events();
    assertThat(events).hasSize(4);
    assertThat(events).allSatisfy(e -> {
      assertThat(e.tenantId()).isEqualTo("org-17");
      assertThat(e.actor().id()).isEqualTo("u-42");
      assertThat(e.request().ip()).isEqualTo("203.0.113.9");
      assertThat(e.request().requestId()).isEqualTo("req-7f3a");
      assertThat(e.source().app()).isEqualTo("facilities-portal");
    });
    assertThat(update.changes()).hasSize(1);
    assertThat(update.changes().get(0).path()).isEqualTo("notes");
    assertThat(update.changes().get(0).from().asText()).isEqualTo("gate 4");
    assertThat(update.changes().get(0).to().asText()).isEqualTo("gate 5");
    assertThat(events.get(2).toState()).isEqualTo("COMPLETED_PENDING_APPROVAL");
    assertThat(events.get(3).outcome()).isEqualTo(Outcome.DENIED);
  }

  @Test
  void readme_quotesTheGuideVerbatim() throws IOException {
    String source = Files.readString(Path.of("src/test/java/dev/auditkit/core/ReadmeGuideTest.java"));
    String guide = source.substring(source.indexOf("// guide:start") + "// guide:start".length(),
        source.indexOf("    // guide:end"));
    String dedented = guide.lines().skip(1).map(l -> l.length() >= 4 ? l.substring(4) : l.strip())
        .reduce("", (a, b) -> a + b + "\n");
    String readme = Files.readString(Path.of("../README.md"));
    assertThat(readme).as("README.md must contain the guide exactly as tested in ReadmeGuideTest").contains(dedented);
  }
}

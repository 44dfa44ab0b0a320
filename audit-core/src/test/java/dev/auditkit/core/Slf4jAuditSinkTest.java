package dev.auditkit.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class Slf4jAuditSinkTest {

  @Test
  void writesOneJsonLinePerEvent_onLoggerAuditkitAudit() throws Exception {
    PrintStream original = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    AuditEvent e1 = AuditEvent.builder().action("a.one").resource("r", "1").metadata(Map.of("note", "multi\nline")).build();
    AuditEvent e2 = AuditEvent.builder().action("a.two").resource("r", "2").tenantId("org-1").build();
    try {
      System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
      new Slf4jAuditSink().write(List.of(e1, e2));
    } finally {
      System.setErr(original);
    }
    List<String> lines = captured.toString(StandardCharsets.UTF_8).lines()
        .filter(l -> l.contains(Slf4jAuditSink.LOGGER_NAME)).toList();
    assertThat(lines).hasSize(2);
    ObjectMapper m = new ObjectMapper();
    JsonNode first = m.readTree(lines.get(0).substring(lines.get(0).indexOf('{')));
    JsonNode second = m.readTree(lines.get(1).substring(lines.get(1).indexOf('{')));
    assertThat(first.get("id").asText()).isEqualTo(e1.id().toString());
    assertThat(first.get("metadata").get("note").asText()).isEqualTo("multi\nline");
    assertThat(second.get("action").asText()).isEqualTo("a.two");
    assertThat(second.get("tenantId").asText()).isEqualTo("org-1");
  }
}

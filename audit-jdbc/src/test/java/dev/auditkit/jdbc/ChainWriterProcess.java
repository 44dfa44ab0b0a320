package dev.auditkit.jdbc;

import dev.auditkit.core.AuditEvent;
import java.io.BufferedWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A separate writer process for {@link ConcurrentSealingTest}: writes events over 7 tenants with
 * its own pool and background sealer, records the ids the store accepted, and exits.
 * Arguments: jdbc url, event count, writer number, id file.
 */
public final class ChainWriterProcess {
  public static void main(String[] args) throws Exception {
    String url = args[0];
    int count = Integer.parseInt(args[1]);
    int writer = Integer.parseInt(args[2]);
    Path ids = Path.of(args[3]);
    try (JdbcAuditStore store = JdbcAuditStore.builder(url).migrate(true).sealInterval(Duration.ofMillis(50)).build();
        BufferedWriter out = Files.newBufferedWriter(ids)) {
      for (int i = 0; i < count; i += 20) {
        List<AuditEvent> batch = new ArrayList<>();
        for (int j = 0; j < 20 && i + j < count; j++) {
          batch.add(SealingTest.event("org-" + ((writer + j) % 7), i + j));
        }
        store.write(batch);
        for (AuditEvent e : batch) {
          out.write(e.id().toString());
          out.newLine();
        }
      }
    }
  }
}

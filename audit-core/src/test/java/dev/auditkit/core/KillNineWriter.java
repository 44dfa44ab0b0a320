package dev.auditkit.core;

import java.io.FileOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

/**
 * The child process of {@link KillNineFaultTest}: writes events forever through an ASYNC
 * PROCESS_CRASH journal into a slow JDBC store, appending the id of every event whose
 * {@code appendAuditLog} returned to an acknowledgement file (one unbuffered write each, so the
 * file holds exactly what was acknowledged when the process is killed).
 *
 * <p>Arguments: JDBC url, journal directory, acknowledgement file, queue capacity. With a small
 * queue (and spillAfter 0) most acknowledged events are spilled (held by the journal only) when the kill comes; every
 * 500 events the child prints {@code journalOnly=<n>} so that the test can tell.
 */
public final class KillNineWriter {
  private KillNineWriter() {}

  public static void main(String[] args) throws Exception {
    String url = args[0];
    Path journal = Path.of(args[1]);
    int queueCapacity = Integer.parseInt(args[3]);
    AuditLog audit = AuditLog.builder().store(new H2TableSink(url, 20)).delivery(Delivery.ASYNC).journal(journal)
        .journalDurability(JournalDurability.PROCESS_CRASH).batchSize(200).queueCapacity(queueCapacity)
        // with a small queue, spill at once rather than wait for the (working) writer: the kill must
        // find most acknowledged events held by the journal only
        .spillAfter(queueCapacity < 3000 ? Duration.ZERO : Duration.ofMillis(100))
        .retryBackoff(Duration.ofMillis(10), Duration.ofMillis(100)).build();
    try (OutputStream acks = new FileOutputStream(args[2], true)) {
      for (long i = 0; ; i++) {
        UUID id = audit.logAction("update_invoice", "invoice", "inv-" + i, Map.of("n", i));
        acks.write((id + "\n").getBytes(StandardCharsets.US_ASCII));
        if (i % 500 == 0) {
          System.out.println("journalOnly=" + audit.health().journalOnly());
        }
      }
    }
  }
}

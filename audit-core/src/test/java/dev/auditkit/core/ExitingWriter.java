package dev.auditkit.core;

import java.io.FileOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

/**
 * The child process of {@link ShutdownHookTest}: writes events through an ASYNC memory queue into
 * a slow store and never closes the log. It either returns from {@code main} after {@code count}
 * events, or (count 0) writes until it is terminated, appending the id of every event whose
 * {@code appendAuditLog} returned to an acknowledgement file.
 *
 * <p>Arguments: JDBC url, count, acknowledgement file, closeOnShutdown, the store's delay per batch (ms).
 */
public final class ExitingWriter {
  private ExitingWriter() {}

  public static void main(String[] args) throws Exception {
    String url = args[0];
    long count = Long.parseLong(args[1]);
    AuditLog audit = AuditLog.builder().store(new H2TableSink(url, Integer.parseInt(args[4]))).delivery(Delivery.ASYNC).batchSize(100)
        .queueCapacity(100_000).closeTimeout(Duration.ofSeconds(30)).closeOnShutdown(Boolean.parseBoolean(args[3]))
        .build();
    try (OutputStream acks = new FileOutputStream(args[2], true)) {
      for (long i = 0; count == 0 || i < count; i++) {
        UUID id = audit.logAction("update_invoice", "invoice", "inv-" + i, Map.of("n", i));
        acks.write((id + "\n").getBytes(StandardCharsets.US_ASCII));
      }
    }
    // returns without closing the log: the JVM exits, its writer thread being a daemon
  }
}

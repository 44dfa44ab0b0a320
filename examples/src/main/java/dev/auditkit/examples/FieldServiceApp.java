package dev.auditkit.examples;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.auditkit.core.Actor;
import dev.auditkit.core.AuditContext;
import dev.auditkit.core.AuditLog;
import dev.auditkit.core.Delivery;
import dev.auditkit.core.DeliveryHealth;
import dev.auditkit.core.JournalDurability;
import dev.auditkit.core.RedactionPolicy;
import dev.auditkit.core.SecurityEventType;
import dev.auditkit.core.chain.CheckpointSigner;
import dev.auditkit.core.chain.FileCheckpointWitness;
import dev.auditkit.jdbc.JdbcAuditStore;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;

/**
 * The example host app: a field-service portal on embedded H2 that records a morning of work
 * orders through auditkit, then plays the auditor: seals, verifies, tries to edit an audit row,
 * exports a tenant's chain and verifies the export offline, also after editing it.
 *
 * <pre>java -jar examples/target/auditkit-example.jar [--data DIR]</pre>
 *
 * The data (the H2 database, the journal, the signing key, the witness file and the exports) stays
 * in {@code DIR} (default: {@code auditkit-example} in the temporary directory), so a second run
 * continues the same chains. Exit code 0 when every check came out as it should, 1 when one did
 * not, 2 for a usage error.
 */
public final class FieldServiceApp {
  static final String ORG_A = "org-17";
  static final String ORG_B = "org-42";

  private FieldServiceApp() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /** Runs the app with command-line arguments; returns the exit code. */
  static int run(String[] args, PrintStream out, PrintStream err) {
    Path data = Path.of(System.getProperty("java.io.tmpdir"), "auditkit-example");
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--data") && i + 1 < args.length && !args[i + 1].isBlank()) {
        data = Path.of(args[++i]);
      } else {
        err.println("usage: java -jar auditkit-example.jar [--data DIR]");
        return 2;
      }
    }
    try {
      return run(data, out).asExpected() ? 0 : 1;
    } catch (RuntimeException e) {
      err.println("the example failed: " + e);
      return 1;
    }
  }

  /** The whole example in {@code data}; prints what happens to {@code out}. */
  static ExampleRun run(Path data, PrintStream out) {
    try {
      Files.createDirectories(data);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + data, e);
    }
    Path dir = data.toAbsolutePath();
    out.println("auditkit example: a field-service portal on embedded H2");
    out.println("data: " + dir + " (delete it to start over)");
    HikariConfig pool = new HikariConfig();
    pool.setJdbcUrl("jdbc:h2:file:" + dir.resolve("portal"));
    pool.setMaximumPoolSize(4);
    pool.setPoolName("portal");
    try (HikariDataSource dataSource = new HikariDataSource(pool)) {
      CheckpointSigner signer = SigningKeys.loadOrCreate(dir);
      Jdbi jdbi = Jdbi.create(dataSource);

      // 1. At start-up: the store in the host's own database, and the log that business code calls
      JdbcAuditStore store = JdbcAuditStore.builder(dataSource).checkpointSigner(signer).build();
      long before = Auditor.storedEvents(jdbi, store);
      Morning morning;
      // closed before the pool, also when the business code throws: close() ships what is queued
      try (AuditLog audit = AuditLog.builder()
          .store(store)
          .delivery(Delivery.ASYNC)                              // callers only build, redact and hand off
          .journal(dir.resolve("journal"))                       // ... after the event is in a local journal
          .journalDurability(JournalDurability.PROCESS_CRASH)
          .redaction(RedactionPolicy.defaults().maskKeys("gateCode"))
          .source("fieldservice-portal", "1.0.0", "example-host")
          .build()) {
        out.println();
        out.println("1. A morning at the portal (the store held " + before + " events before this run)");
        WorkOrders orders = new WorkOrders(jdbi, audit, store);
        morning = morning(orders, audit, out);
        DeliveryHealth health = audit.health();
        out.printf("   %d events recorded (one of them in the host's transaction); the ASYNC writer is shipping the "
            + "rest: %d still waiting right now, journal %d bytes%n", morning.recorded().size(), health.unshipped(),
            health.journalBytes());
      } // close() ships what is queued and closes the store (the pool is the host's and stays open); it
        // throws UnshippedEventsException naming what it could not ship, so reaching the next line means all went
      out.println("   audit.close(): everything shipped");

      // 2. Later, an auditor
      try (FileCheckpointWitness witness = new FileCheckpointWitness(dir.resolve("witness.jsonl"));
          JdbcAuditStore auditorStore = JdbcAuditStore.builder(dataSource).checkpointSigner(signer).witness(witness)
              .build()) {
        Auditor auditor = new Auditor(jdbi, auditorStore, dir, out);
        return auditor.audit(before, morning);
      }
    }
  }

  /** What the morning's business code did, for the auditor to look at. */
  record Morning(List<UUID> recorded, UUID payment, String paidOrder, String otherTenantsOrder) {}

  private static Morning morning(WorkOrders orders, AuditLog audit, PrintStream out) {
    AuditContext dispatcher = request(ORG_A, Actor.user("u-dispatch-1").role("dispatcher")
        .email("dispatch@acme-facilities.test"), "203.0.113.10", "Mozilla/5.0 (Windows NT 10.0) Firefox/133.0", "POST",
        "/api/work-orders");
    WorkOrders.WorkOrder order = AuditContext.runWithAuditContext(dispatcher,
        () -> orders.create("Lakeside Mall, loading dock B", "4711#", "Freezer alarm in unit 12"));
    out.println("   " + ORG_A + " dispatcher opened " + order.id() + " (created; the gate code is masked)");
    AuditContext.runWithAuditContext(request(ORG_A, dispatcher.actor(), "203.0.113.10", dispatcher.userAgent(), "PUT",
        "/api/work-orders/" + order.id()), () -> {
          orders.assign(order.id(), "w-3");
        });
    out.println("   " + ORG_A + " dispatcher assigned technician w-3 (updated: status, technician)");

    Actor technician = Actor.user("u-tech-3").role("technician").extraId("workerId", "w-3");
    String mobile = "Mozilla/5.0 (Linux; Android 14; Pixel 8) Chrome/131.0 Mobile";
    AuditContext.runWithAuditContext(request(ORG_A, technician, "198.51.100.7", mobile, "GET",
        "/api/work-orders/" + order.id()), () -> {
          orders.view(order.id());
        });
    out.println("   " + ORG_A + " technician opened it on a phone (viewed)");
    AuditContext.runWithAuditContext(request(ORG_A, technician, "198.51.100.7", mobile, "POST",
        "/api/work-orders/" + order.id() + "/complete"), () -> orders.complete(order.id(), "Replaced the compressor relay"));
    out.println("   " + ORG_A + " technician completed it (state_changed, written in the same transaction as the"
        + " status)");
    UUID payment = AuditContext.runWithAuditContext(request(ORG_A, technician, "198.51.100.7", mobile, "POST",
        "/api/work-orders/" + order.id() + "/payment"),
        () -> orders.capturePayment(order.id(), new BigDecimal("129.00"), "4111 1111 1111 1111", "737"));
    out.println("   " + ORG_A + " customer paid by card on the technician's phone (payment.captured; card and CVV"
        + " redacted)");

    Actor manager = Actor.user("u-mgr-9").role("manager").email("ops@harbor-hvac.test");
    AuditContext other = request(ORG_B, manager, "192.0.2.44", "Mozilla/5.0 (Macintosh) Safari/18.1", "POST",
        "/api/work-orders");
    WorkOrders.WorkOrder theirs = AuditContext.runWithAuditContext(other,
        () -> orders.create("Pier 9 cold store", null, "Quarterly inspection"));
    out.println("   " + ORG_B + " manager opened " + theirs.id() + " (created)");
    AuditContext.runWithAuditContext(request(ORG_B, manager, "192.0.2.44", other.userAgent(), "GET",
        "/api/work-orders/" + order.id()), () -> {
          orders.view(order.id());
        });
    out.println("   " + ORG_B + " manager tried to open " + ORG_A + "'s " + order.id()
        + ": not shown (security.cross_tenant_access)");
    UUID[] loginFailure = new UUID[1];
    AuditContext.runWithAuditContext(request(ORG_A, Actor.anonymous(), "198.51.100.200", "python-requests/2.32", "POST",
        "/api/login"), () -> {
          loginFailure[0] = audit.securityEvent(SecurityEventType.LOGIN_FAILED,
              Map.of("username", "dispatch@acme-facilities.test", "password", "Summer2026!"));
        });
    List<UUID> recorded = new ArrayList<>(orders.recorded());
    recorded.add(loginFailure[0]);
    out.println("   someone failed to log in to " + ORG_A + " (security.login_failed; the password is redacted)");
    return new Morning(List.copyOf(recorded), payment, order.id(), theirs.id());
  }

  /** What the servlet filter binds for each request. */
  private static AuditContext request(String tenant, Actor actor, String ip, String userAgent, String method,
      String path) {
    return AuditContext.builder().tenantId(tenant).actor(actor).ipAddress(ip).userAgent(userAgent)
        .httpMethod(method).path(path).requestId("req-" + UUID.randomUUID().toString().substring(0, 8)).build();
  }
}

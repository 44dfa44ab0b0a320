package dev.auditkit.examples;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.auditkit.core.AuditEvent;
import dev.auditkit.core.FieldChange;
import dev.auditkit.core.chain.ChainExportReader;
import dev.auditkit.core.chain.ChainVerification;
import dev.auditkit.core.chain.ChainVerifier;
import dev.auditkit.core.chain.CheckpointKeys;
import dev.auditkit.jdbc.JdbcAuditStore;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Jdbi;

/**
 * The auditor's side of the example: what a SOC 2 auditor, or an engineer answering a dispute,
 * does with the store and with an export, and what each step shows.
 */
final class Auditor {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Jdbi jdbi;
  private final JdbcAuditStore store;
  private final Path dir;
  private final PrintStream out;

  Auditor(Jdbi jdbi, JdbcAuditStore store, Path dir, PrintStream out) {
    this.jdbi = jdbi;
    this.store = store;
    this.dir = dir;
    this.out = out;
  }

  static long storedEvents(Jdbi jdbi, JdbcAuditStore store) {
    return jdbi.withHandle(h -> h.createQuery("select count(*) from " + store.eventTable()).mapTo(Long.class).one());
  }

  ExampleRun audit(long before, FieldServiceApp.Morning morning) {
    long after = storedEvents(jdbi, store);
    List<UUID> missing = morning.recorded().stream().filter(id -> store.findById(id).isEmpty()).toList();
    AuditEvent payment = store.findById(morning.payment()).orElseThrow();
    out.println();
    out.println("2. All " + morning.recorded().size() + " events are in the store" + (missing.isEmpty() ? "" : " except "
        + missing) + "; who did what, to which record, when, from where: the payment as the store holds it");
    describe(payment);

    out.println();
    out.println("3. Tamper evidence");
    int sealed = store.sealNow();
    out.printf("   each event is sealed into its tenant's hash chain: the background sealer sealed them as they came,"
        + " sealNow() the %d left%n", sealed);
    List<ChainVerification> verdicts = store.verifyAll();
    for (ChainVerification v : verdicts) {
      out.println("   verify " + v.chainId() + ": " + v.summary());
    }
    String refusal = tryToEdit(payment);
    out.println("   UPDATE of an audit row: " + (refusal == null ? "ALLOWED (it should not be)" : "refused: " + refusal));

    String chain = verdicts.stream().map(ChainVerification::chainId).filter(c -> c.equals("t:" + FieldServiceApp.ORG_A))
        .findFirst().orElseThrow();
    Path export = dir.resolve("export-" + FieldServiceApp.ORG_A + ".jsonl");
    try (OutputStream o = Files.newOutputStream(export)) {
      store.exportChain(chain, o);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    // the auditor verifies with the public key file they were given, not with anything of the host's
    // and requires the signed head exportChain writes, so that no event can be cut from the end of the file
    ChainVerifier offline = ChainVerifier.builder(CheckpointKeys.fromPemFiles(List.of(SigningKeys.publicKeyFile(dir))))
        .requireSignedHead(true).build();
    ChainVerification exported = ChainExportReader.open(export).verify(offline);
    out.println("   exported " + chain + " to " + export.getFileName() + "; verified offline with the public key: "
        + exported.summary());

    Path edited = dir.resolve("export-" + FieldServiceApp.ORG_A + "-edited.jsonl");
    long position = editActor(export, edited, payment);
    ChainVerification caught = ChainExportReader.open(edited).verify(offline);
    out.println("   the same export with the payment's actor changed to someone else: "
        + caught.summary());
    out.println();
    out.println("Verify an export yourself, without a database:");
    out.println("   java -jar audit-core/target/audit-core-0.1.0-SNAPSHOT-cli.jar verify " + export
        + " --public-key " + SigningKeys.publicKeyFile(dir) + " --require-signed-head");
    return new ExampleRun(morning.recorded(), missing, before, after, verdicts, refusal, payment, export, exported,
        caught, position);
  }

  private void describe(AuditEvent e) {
    String extra = e.actor().extraIds().entrySet().stream().map(x -> x.getKey() + "=" + x.getValue())
        .collect(Collectors.joining(", "));
    out.println("   who    " + e.actor().id() + " (" + e.actor().type() + ", role " + e.actor().role()
        + (extra.isEmpty() ? "" : ", " + extra) + ") of tenant " + e.tenantId());
    out.println("   what   " + e.action() + " (" + e.kind() + ", " + e.outcome() + ")");
    out.println("   record " + e.resource().type() + " " + e.resource().id());
    out.println("   when   " + e.occurredAt());
    out.println("   where  " + e.request().ip() + ", " + e.request().method() + " " + e.request().path() + ", "
        + e.request().userAgent() + ", request " + e.request().requestId());
    out.println("   data   " + e.metadata());
    for (FieldChange c : e.changes()) {
      out.println("   change " + c.path() + ": " + c.from() + " -> " + c.to());
    }
    out.println("   source " + e.source().app() + " " + e.source().version() + " on " + e.source().host());
  }

  /** Tries what an insider with the application's database account might: rewrite who paid. */
  private String tryToEdit(AuditEvent e) {
    try {
      jdbi.useHandle(h -> h.createUpdate("update " + store.eventTable() + " set actor_id = 'u-someone-else' where id = :id")
          .bind("id", e.id()).execute());
      return null;
    } catch (RuntimeException refused) {
      Throwable root = refused;
      while (root.getCause() != null) {
        root = root.getCause();
      }
      String message = String.valueOf(root.getMessage());
      return message.lines().findFirst().orElse(message);
    }
  }

  /**
   * Copies the export with the actor of {@code e}'s line changed, as someone with the file might;
   * returns the chain position of that event.
   */
  private static long editActor(Path export, Path edited, AuditEvent e) {
    try {
      List<String> lines = Files.readAllLines(export, StandardCharsets.UTF_8);
      List<String> copy = new ArrayList<>(lines.size());
      long position = -1;
      for (String line : lines) {
        ObjectNode n = (ObjectNode) JSON.readTree(line);
        if ("event".equals(n.path("type").asText()) && e.id().toString().equals(n.path("event").path("id").asText())) {
          ((ObjectNode) n.path("event").path("actor")).put("id", "u-someone-else");
          position = n.path("event").path("seal").path("sequence").asLong(-1);
          line = JSON.writeValueAsString(n);
        }
        copy.add(line);
      }
      Files.write(edited, copy, StandardCharsets.UTF_8);
      return position;
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
  }
}

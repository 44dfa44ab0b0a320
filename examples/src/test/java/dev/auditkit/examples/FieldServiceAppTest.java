package dev.auditkit.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.auditkit.core.AuditEvent;
import dev.auditkit.core.RedactionPolicy;
import dev.auditkit.core.chain.ChainVerification;
import dev.auditkit.core.chain.TamperKind;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The example app runs end to end, twice on the same data, and every check it prints holds. */
class FieldServiceAppTest {
  /** Secrets the morning's business code hands to the log; none may be stored or exported. */
  private static final String[] SECRETS = {"4111 1111 1111 1111", "4111111111111111", "Summer2026!", "4711#"};

  @TempDir
  Path dir;

  @Test
  void twoRuns_storeEveryEvent_continueTheChains_andCatchBothEdits() throws Exception {
    ExampleRun first = FieldServiceApp.run(dir, quiet());
    assertThat(first.asExpected()).isTrue();
    assertThat(first.recorded()).hasSize(8).doesNotHaveDuplicates();
    assertThat(first.missing()).isEmpty();
    assertThat(first.storedBefore()).isZero();
    assertThat(first.storedAfter()).isEqualTo(8);
    assertThat(first.verdicts()).extracting(ChainVerification::chainId).containsExactlyInAnyOrder("t:org-17", "t:org-42");
    assertThat(first.verdicts()).allSatisfy(v -> assertThat(v.ok()).as(v.summary()).isTrue());
    assertThat(byChain(first)).containsEntry("t:org-17", 6L).containsEntry("t:org-42", 2L);
    assertThat(first.updateRefusal()).contains("append-only");
    assertThat(first.exportVerdict().ok()).isTrue();
    assertThat(first.exportVerdict().eventsChecked()).isEqualTo(6);
    assertThat(first.editedVerdict().kind()).contains(TamperKind.MODIFIED);
    assertThat(first.editedVerdict().eventId()).contains(first.payment().id());
    assertThat(first.editedPosition()).isBetween(1L, 6L);

    AuditEvent payment = first.payment();
    assertThat(payment.actor().id()).isEqualTo("u-tech-3");
    assertThat(payment.actor().extraIds()).containsEntry("workerId", "w-3");
    assertThat(payment.request().ip()).isEqualTo("198.51.100.7");
    assertThat(payment.request().path()).endsWith("/payment");
    assertThat(payment.metadata().get("cardNumber").asText()).isEqualTo(RedactionPolicy.REDACTED);
    assertThat(payment.metadata().get("cvv").asText()).isEqualTo(RedactionPolicy.REDACTED);
    assertThat(payment.metadata().get("receiptText").asText()).endsWith("1111").doesNotContain("4111");

    assertNoSecretStored();
    String export = Files.readString(first.export(), StandardCharsets.UTF_8);
    for (String secret : SECRETS) {
      assertThat(export).doesNotContain(secret);
    }

    ExampleRun second = FieldServiceApp.run(dir, quiet());
    assertThat(second.asExpected()).isTrue();
    assertThat(second.storedBefore()).isEqualTo(8);
    assertThat(second.storedAfter()).isEqualTo(16);
    assertThat(second.recorded()).doesNotContainAnyElementsOf(first.recorded());
    assertThat(byChain(second)).containsEntry("t:org-17", 12L).containsEntry("t:org-42", 4L);
    assertThat(second.exportVerdict().eventsChecked()).isEqualTo(12);
    assertThat(second.editedPosition()).isBetween(7L, 12L);
    assertNoSecretStored();
  }

  @Test
  void commandLine_printsWhatHappens_andExitsZero() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = FieldServiceApp.run(new String[] {"--data", dir.toString()}, new PrintStream(out, true), new PrintStream(err, true));
    String printed = out.toString(StandardCharsets.UTF_8);
    assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
    assertThat(printed).contains("8 events recorded", "All 8 events are in the store", "verify t:org-17: OK",
        "verify t:org-42: OK", "refused", "MODIFIED at t:org-17#", "--public-key " + dir.resolve("checkpoint-key.pub.pem") + " --require-signed-head");
    for (String secret : SECRETS) {
      assertThat(printed).doesNotContain(secret);
    }
  }

  @Test
  void badArguments_areAUsageError_andADataDirThatCannotBeMade_fails() throws Exception {
    assertThat(runQuietly("--bogus")).isEqualTo(2);
    assertThat(runQuietly("--data")).isEqualTo(2);
    assertThat(runQuietly("--data", " ")).isEqualTo(2);
    assertThat(runQuietly("--data", dir.toString(), "extra")).isEqualTo(2);
    Path file = Files.writeString(dir.resolve("a-file"), "not a directory");
    assertThat(runQuietly("--data", file.resolve("data").toString())).isEqualTo(1);
    assertThat(Files.readString(file)).isEqualTo("not a directory");
  }

  @Test
  void halfAKey_isRefused_neverReplaced() throws Exception {
    assertThat(FieldServiceApp.run(dir, quiet()).asExpected()).isTrue();
    Path priv = SigningKeys.privateKeyFile(dir);
    String key = Files.readString(priv);
    Files.delete(SigningKeys.publicKeyFile(dir));
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = FieldServiceApp.run(new String[] {"--data", dir.toString()}, quiet(), new PrintStream(err, true));
    assertThat(code).isEqualTo(1);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("only one half of the checkpoint key");
    assertThat(Files.readString(priv)).as("the private key is untouched").isEqualTo(key);
    if (Files.getFileStore(priv).supportsFileAttributeView("posix")) {
      assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(priv)))
          .isEqualTo("rw-------");
    }
  }

  private static int runQuietly(String... args) {
    return FieldServiceApp.run(args, quiet(), quiet());
  }

  private static Map<String, Long> byChain(ExampleRun run) {
    return run.verdicts().stream().collect(Collectors.toMap(ChainVerification::chainId, ChainVerification::eventsChecked));
  }

  /** Every column of every stored event and seal, as text: no secret in any of them. */
  private void assertNoSecretStored() throws Exception {
    StringBuilder all = new StringBuilder();
    try (Connection c = DriverManager.getConnection("jdbc:h2:file:" + dir.toAbsolutePath().resolve("portal"));
        Statement s = c.createStatement()) {
      for (String table : new String[] {"audit_event", "audit_seal", "audit_checkpoint"}) {
        try (ResultSet rs = s.executeQuery("select * from " + table)) {
          ResultSetMetaData md = rs.getMetaData();
          while (rs.next()) {
            for (int i = 1; i <= md.getColumnCount(); i++) {
              all.append(rs.getString(i)).append('\t');
            }
          }
        }
      }
    }
    assertThat(all).contains("u-tech-3", "[REDACTED]");
    for (String secret : SECRETS) {
      assertThat(all.toString()).doesNotContain(secret);
    }
  }

  private static PrintStream quiet() {
    return new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
  }
}

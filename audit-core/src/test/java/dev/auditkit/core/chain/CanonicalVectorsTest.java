package dev.auditkit.core.chain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.auditkit.core.AuditEvent;
import dev.auditkit.core.Seal;
import dev.auditkit.core.internal.EventJson;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CanonicalVectorsTest {

  @Test
  void everyCommittedVector_encodesToItsBytesAndHash() {
    JsonNode vectors = TestEvents.vectors().get("vectors");
    assertThat(vectors.size()).isGreaterThanOrEqualTo(5);
    for (JsonNode v : vectors) {
      AuditEvent e = EventJson.fromJson(v.get("event"));
      assertThat(new String(CanonicalEncoding.encode(e), StandardCharsets.UTF_8))
          .as(v.get("name").asText()).isEqualTo(v.get("canonical").asText());
      assertThat(CanonicalEncoding.sha256Hex(e)).as(v.get("name").asText()).isEqualTo(v.get("sha256").asText());
    }
  }

  @Test
  void committedChainVector_matchesTheSealer() {
    JsonNode root = TestEvents.vectors();
    Map<String, AuditEvent> byId = new HashMap<>();
    for (JsonNode v : root.get("vectors")) {
      AuditEvent e = EventJson.fromJson(v.get("event"));
      byId.put(e.id().toString(), e);
    }
    JsonNode chain = root.get("chain");
    String chainId = chain.get("chainId").asText();
    assertThat(ChainSealer.genesisHash(chainId)).isEqualTo(chain.get("genesis").asText());
    List<AuditEvent> events = new ArrayList<>();
    chain.get("seals").forEach(s -> events.add(byId.get(s.get("eventId").asText())));
    List<Seal> seals = ChainSealer.seal(ChainHead.empty(chainId), events);
    for (int i = 0; i < seals.size(); i++) {
      JsonNode want = chain.get("seals").get(i);
      assertThat(seals.get(i).sequence()).isEqualTo(want.get("sequence").asLong());
      assertThat(seals.get(i).previousHash()).isEqualTo(want.get("previousHash").asText());
      assertThat(seals.get(i).hash()).isEqualTo(want.get("hash").asText());
    }
  }

  @Test
  void pythonVerifierWrittenFromTheDocument_acceptsTheVectors() throws Exception {
    Result r = runPython(TestEvents.VECTORS);
    assertThat(r.exit).as(r.output).isZero();
    assertThat(r.output).contains("0 failure(s)").doesNotContain("FAIL");
  }

  @Test
  void pythonVerifier_rejectsAVectorWhoseBytesWereChanged(@TempDir Path dir) throws Exception {
    String text = Files.readString(TestEvents.VECTORS);
    Path bad = dir.resolve("bad.json");
    // one digit of the 'numbers' vector's canonical text changed: the verifier must notice
    Files.writeString(bad, text.replace("\\\"exp\\\":2500", "\\\"exp\\\":2501"));
    assertThat(Files.readString(bad)).isNotEqualTo(text);
    Result r = runPython(bad);
    assertThat(r.exit).as(r.output).isEqualTo(1);
    assertThat(r.output).contains("FAIL numbers by value");
  }

  @Test
  void childJvmWithOtherLocaleTimezoneAndCharset_computesTheSameHashes() throws Exception {
    Process p = new ProcessBuilder(TestEvents.javaBinary().toString(),
        "-Duser.timezone=Asia/Kathmandu", "-Duser.language=tr", "-Duser.country=TR", "-Dfile.encoding=ISO-8859-1",
        "-cp", TestEvents.testClassPath(), PrintCanonicalHashes.class.getName())
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    List<String> expected = new ArrayList<>();
    for (JsonNode v : TestEvents.vectors().get("vectors")) {
      expected.add(CanonicalEncoding.sha256Hex(EventJson.fromJson(v.get("event"))));
    }
    for (int i = 0; i < 20; i++) {
      expected.add(CanonicalEncoding.sha256Hex(TestEvents.full(i % 2 == 0 ? "org-" + i : null, i)));
    }
    assertThat(out.strip().lines()).containsExactlyElementsOf(expected);
  }

  private record Result(int exit, String output) {}

  private static Result runPython(Path vectors) throws IOException, InterruptedException {
    boolean python = pythonAvailable();
    if (!python && TestEvents.onCi()) {
      throw new AssertionError("python3 is required on CI to check docs/canonical-encoding.md");
    }
    assumeTrue(python, "python3 not installed");
    Process p = new ProcessBuilder("python3", TestEvents.PYTHON_VERIFIER.toString(), vectors.toString())
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Result(p.exitValue(), out);
  }

  private static boolean pythonAvailable() {
    String path = System.getenv("PATH");
    if (path == null) {
      return false;
    }
    for (String dir : path.split(File.pathSeparator)) {
      if (Files.isExecutable(Path.of(dir, "python3"))) {
        return true;
      }
    }
    return false;
  }
}

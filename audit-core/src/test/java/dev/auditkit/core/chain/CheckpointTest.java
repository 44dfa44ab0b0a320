package dev.auditkit.core.chain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.auditkit.core.chain.internal.Hashes;
import dev.auditkit.core.chain.internal.Pem;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointTest {
  private static final ChainHead HEAD = ChainHead.of("t:org-1", 42, "ab".repeat(32));

  @Test
  void signerFromPemFiles_signsCheckpointsThatVerifyWithThePublicKeyFile(@TempDir Path dir) throws Exception {
    KeyPair pair = CheckpointSigner.newKeyPair();
    Path priv = dir.resolve("key.pem");
    Path pub = dir.resolve("key.pub.pem");
    Files.writeString(priv, Pem.encode("PRIVATE KEY", pair.getPrivate().getEncoded()));
    Files.writeString(pub, Pem.encode("PUBLIC KEY", pair.getPublic().getEncoded()));
    CheckpointSigner signer = CheckpointSigner.fromPemFiles(priv, pub);
    Checkpoint c = signer.sign(HEAD, Instant.parse("2026-01-02T03:04:05.123456789Z"));
    assertThat(c.time()).isEqualTo(Instant.parse("2026-01-02T03:04:05.123456Z"));
    assertThat(c.keyFingerprint()).isEqualTo(Hashes.hex(Hashes.sha256().digest(pair.getPublic().getEncoded())));
    assertThat(Base64.getDecoder().decode(c.signature())).hasSize(64);
    assertThat(CheckpointKeys.fromPemFiles(List.of(pub)).verify(c)).isTrue();
    assertThat(new String(c.signedPayload(), StandardCharsets.UTF_8)).isEqualTo("auditkit.checkpoint.v1\nt:org-1\n42\n"
        + "ab".repeat(32) + "\n2026-01-02T03:04:05.123456Z\n" + c.keyFingerprint());
    assertThat(signer.publicKeyPem()).startsWith("-----BEGIN PUBLIC KEY-----\n");
    assertThat(CheckpointKeys.of(Pem.publicKey(signer.publicKeyPem())).verify(c)).isTrue();
  }

  @Test
  void opensslGeneratedKeys_areAccepted(@TempDir Path dir) throws Exception {
    // a PEM pair as `openssl genpkey -algorithm ed25519` / `openssl pkey -pubout` write them (RFC 8410 test key)
    String priv = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEINTuctv5E1hK1bbY8fdp+K06/nwoy/HU++CXqI9EdVhC\n-----END PRIVATE KEY-----\n";
    String pub = "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n-----END PUBLIC KEY-----\n";
    CheckpointSigner signer = CheckpointSigner.fromPem(priv, pub);
    assertThat(signer.keys().verify(signer.sign(HEAD, Instant.EPOCH))).isTrue();
  }

  @Test
  void mismatchedOrMalformedKeys_areRefusedClearly(@TempDir Path dir) {
    KeyPair a = CheckpointSigner.newKeyPair();
    KeyPair b = CheckpointSigner.newKeyPair();
    assertThatThrownBy(() -> CheckpointSigner.fromPem(Pem.encode("PRIVATE KEY", a.getPrivate().getEncoded()),
        Pem.encode("PUBLIC KEY", b.getPublic().getEncoded())))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a pair");
    assertThatThrownBy(() -> CheckpointSigner.fromPem("garbage", "garbage"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("BEGIN PRIVATE KEY");
    assertThatThrownBy(() -> CheckpointSigner.fromPem("-----BEGIN PRIVATE KEY-----\n!!!\n-----END PRIVATE KEY-----", ""))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("base64");
    assertThatThrownBy(() -> CheckpointSigner.fromPem(null, null)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> CheckpointSigner.fromPemFiles(dir.resolve("missing.pem"), dir.resolve("missing.pub")))
        .isInstanceOf(UncheckedIOException.class).hasMessageContaining("missing.pem");
    assertThatThrownBy(() -> CheckpointKeys.fromPemFiles(List.of(dir.resolve("nope.pem"))))
        .isInstanceOf(UncheckedIOException.class);
    assertThatThrownBy(() -> CheckpointKeys.of(
        java.security.KeyPairGenerator.getInstance("EC").generateKeyPair().getPublic()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Ed25519");
  }

  @Test
  void developmentKey_works_andEmptyChainsCannotBeCheckpointed() {
    CheckpointSigner dev = CheckpointSigner.generateForDevelopment();
    assertThat(dev.keys().verify(dev.sign(HEAD, Instant.EPOCH))).isTrue();
    assertThatThrownBy(() -> dev.sign(ChainHead.empty("t:x"), Instant.EPOCH))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("empty");
    assertThatThrownBy(() -> dev.sign(null, Instant.EPOCH)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void anyChangedField_breaksTheSignature() {
    CheckpointSigner signer = CheckpointSigner.generateForDevelopment();
    Checkpoint c = signer.sign(HEAD, Instant.EPOCH);
    CheckpointKeys keys = signer.keys();
    List<Checkpoint> changed = List.of(
        Checkpoint.of("t:org-2", c.sequence(), c.headHash(), c.time(), c.keyFingerprint(), c.signature()),
        Checkpoint.of(c.chainId(), 43, c.headHash(), c.time(), c.keyFingerprint(), c.signature()),
        Checkpoint.of(c.chainId(), c.sequence(), "cd".repeat(32), c.time(), c.keyFingerprint(), c.signature()),
        Checkpoint.of(c.chainId(), c.sequence(), c.headHash(), c.time().plusNanos(1000), c.keyFingerprint(), c.signature()));
    assertThat(keys.verify(c)).isTrue();
    for (Checkpoint x : changed) {
      assertThat(keys.verify(x)).as(x.toString()).isFalse();
    }
    assertThat(CheckpointKeys.none().verify(c)).isFalse();
  }

  @Test
  void malformedCheckpoints_areRefused() {
    String fp = "aa".repeat(32);
    String sig = Base64.getEncoder().encodeToString(new byte[64]);
    assertThatThrownBy(() -> Checkpoint.of("t:x", 0, fp, Instant.EPOCH, fp, sig)).hasMessageContaining("sequence");
    assertThatThrownBy(() -> Checkpoint.of("t:x", 1, "xyz", Instant.EPOCH, fp, sig)).hasMessageContaining("headHash");
    assertThatThrownBy(() -> Checkpoint.of("t:x", 1, fp, Instant.EPOCH, "FF", sig)).hasMessageContaining("keyFingerprint");
    assertThatThrownBy(() -> Checkpoint.of("t:x", 1, fp, Instant.EPOCH, fp, "not base64!")).hasMessageContaining("signature");
    assertThatThrownBy(() -> Checkpoint.of("t:x", 1, fp, Instant.EPOCH, fp, "AAAA")).hasMessageContaining("64 bytes");
    assertThatThrownBy(() -> Checkpoint.of("t:x", 1, fp, null, fp, sig)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> Checkpoint.of("bad", 1, fp, Instant.EPOCH, fp, sig)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void policy_isDueEveryNEventsOrAfterTheInterval() {
    CheckpointSigner signer = CheckpointSigner.generateForDevelopment();
    CheckpointPolicy p = CheckpointPolicy.of(100, Duration.ofMinutes(5));
    Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
    Checkpoint last = signer.sign(ChainHead.of("t:a", 1000, "ab".repeat(32)), t0);
    assertThat(p.isDue(ChainHead.of("t:a", 1000, "ab".repeat(32)), last, t0.plus(Duration.ofHours(1))))
        .as("no growth, never due").isFalse();
    assertThat(p.isDue(ChainHead.of("t:a", 1099, "cd".repeat(32)), last, t0.plusSeconds(10))).isFalse();
    assertThat(p.isDue(ChainHead.of("t:a", 1100, "cd".repeat(32)), last, t0.plusSeconds(10))).isTrue();
    assertThat(p.isDue(ChainHead.of("t:a", 1001, "cd".repeat(32)), last, t0.plus(Duration.ofMinutes(5)))).isTrue();
    assertThat(p.isDue(ChainHead.of("t:a", 1, "cd".repeat(32)), null, t0)).as("first checkpoint").isTrue();
    assertThat(p.isDue(ChainHead.empty("t:a"), null, t0)).isFalse();
    assertThat(CheckpointPolicy.defaults().everyEvents()).isEqualTo(10_000);
    assertThat(CheckpointPolicy.defaults().every()).isEqualTo(Duration.ofMinutes(5));
    assertThatThrownBy(() -> CheckpointPolicy.of(0, Duration.ofMinutes(1))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> CheckpointPolicy.of(1, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> p.isDue(ChainHead.of("t:b", 5, "ab".repeat(32)), last, t0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void fileWitness_appendsLinesThatReadBack_andIgnoresATornLastLine(@TempDir Path dir) throws Exception {
    CheckpointSigner signer = CheckpointSigner.generateForDevelopment();
    Path file = dir.resolve("sub/witness.jsonl");
    List<Checkpoint> written = new ArrayList<>();
    try (FileCheckpointWitness w = new FileCheckpointWitness(file)) {
      for (int i = 1; i <= 3; i++) {
        Checkpoint c = signer.sign(ChainHead.of(i == 2 ? "t:b" : "t:a", i, "ab".repeat(32)), Instant.EPOCH.plusSeconds(i));
        w.publish(c);
        written.add(c);
      }
    }
    try (FileCheckpointWitness again = new FileCheckpointWitness(file)) {
      Checkpoint c = signer.sign(ChainHead.of("t:a", 9, "ef".repeat(32)), Instant.EPOCH);
      again.publish(c);
      written.add(c);
    }
    assertThat(FileCheckpointWitness.read(file, null)).containsExactlyElementsOf(written);
    assertThat(FileCheckpointWitness.read(file, "t:b")).containsExactly(written.get(1));
    Files.writeString(file, "{\"chainId\":\"t:a\",\"seq", java.nio.file.StandardOpenOption.APPEND);
    assertThat(FileCheckpointWitness.read(file, null)).hasSize(4);
    Files.writeString(file, "\nnot json\n", java.nio.file.StandardOpenOption.APPEND);
    assertThatThrownBy(() -> FileCheckpointWitness.read(file, null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("line 5");
  }

  @Test
  void fileWitness_keepsEveryLineWholeUnderConcurrentPublishers(@TempDir Path dir) throws Exception {
    CheckpointSigner signer = CheckpointSigner.generateForDevelopment();
    Path file = dir.resolve("w.jsonl");
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try (FileCheckpointWitness w = new FileCheckpointWitness(file)) {
      List<Future<?>> fs = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int thread = t;
        fs.add(pool.submit(() -> {
          for (int i = 1; i <= 25; i++) {
            w.publish(signer.sign(ChainHead.of("t:" + thread, i, "ab".repeat(32)), Instant.EPOCH));
          }
        }));
      }
      for (Future<?> f : fs) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    List<Checkpoint> back = FileCheckpointWitness.read(file, null);
    assertThat(back).hasSize(100);
    assertThat(back).allMatch(signer.keys()::verify);
  }

  @Test
  void fileWitness_keepsEveryPublishedCheckpointWhenItsProcessIsKilled(@TempDir Path dir) throws Exception {
    KeyPair pair = CheckpointSigner.newKeyPair();
    String priv = Pem.encode("PRIVATE KEY", pair.getPrivate().getEncoded());
    String pub = Pem.encode("PUBLIC KEY", pair.getPublic().getEncoded());
    Path file = dir.resolve("w.jsonl");
    Process p = new ProcessBuilder(TestEvents.javaBinary().toString(), "-cp", TestEvents.testClassPath(),
        WitnessWriterProcess.class.getName(), file.toString(), priv, pub).redirectErrorStream(true).start();
    long lastAcknowledged = 0;
    try (java.io.BufferedReader r = new java.io.BufferedReader(
        new java.io.InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        if (line.startsWith("published ")) {
          lastAcknowledged = Long.parseLong(line.substring(10));
          if (lastAcknowledged >= 200) {
            p.destroyForcibly(); // SIGKILL in the middle of the next append
            break;
          }
        }
      }
    } finally {
      p.destroyForcibly();
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(lastAcknowledged).isGreaterThanOrEqualTo(200);
    List<Checkpoint> back = FileCheckpointWitness.read(file, "t:crash");
    assertThat(back.size()).isGreaterThanOrEqualTo((int) lastAcknowledged);
    CheckpointKeys keys = CheckpointKeys.of(Pem.publicKey(pub));
    for (int i = 0; i < back.size(); i++) {
      assertThat(back.get(i).sequence()).isEqualTo(i + 1);
      assertThat(keys.verify(back.get(i))).isTrue();
    }
  }

  @Test
  void slf4jWitness_logsTheCheckpointAsJson() {
    List<String> lines = new ArrayList<>();
    org.slf4j.Logger logger = (org.slf4j.Logger) java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
        new Class<?>[] {org.slf4j.Logger.class}, (proxy, m, args) -> {
          if (m.getName().equals("info") && args.length == 2) {
            lines.add(((String) args[0]).replace("{}", String.valueOf(args[1])));
          }
          return m.getReturnType() == boolean.class ? Boolean.TRUE : null;
        });
    CheckpointSigner signer = CheckpointSigner.generateForDevelopment();
    Checkpoint c = signer.sign(HEAD, Instant.EPOCH);
    new Slf4jCheckpointWitness(logger).publish(c);
    assertThat(lines).singleElement().asString().startsWith("auditkit checkpoint {\"chainId\":\"t:org-1\",\"sequence\":42,")
        .contains(c.signature());
    assertThatThrownBy(() -> new Slf4jCheckpointWitness(logger).publish(null)).isInstanceOf(NullPointerException.class);
    new Slf4jCheckpointWitness().publish(c); // the default logger does not throw
  }
}

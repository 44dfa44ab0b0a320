package dev.auditkit.core.chain;

import dev.auditkit.core.chain.internal.Pem;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Signs {@link Checkpoint}s with an Ed25519 key (JDK built-in). Production keys come from PEM
 * files; {@link #generateForDevelopment()} makes a throw-away key and says so loudly. Thread-safe.
 */
public final class CheckpointSigner {
  private static final Logger LOG = LoggerFactory.getLogger(CheckpointSigner.class);

  private final PrivateKey privateKey;
  private final PublicKey publicKey;
  private final String fingerprint;

  private CheckpointSigner(PrivateKey privateKey, PublicKey publicKey) {
    this.privateKey = privateKey;
    this.publicKey = publicKey;
    this.fingerprint = CheckpointKeys.fingerprint(publicKey);
  }

  /**
   * A signer from PEM files: the private key as PKCS#8 ({@code -----BEGIN PRIVATE KEY-----}, as
   * written by {@code openssl genpkey -algorithm ed25519}) and its public key as X.509 SPKI
   * ({@code openssl pkey -in key.pem -pubout}).
   *
   * @throws UncheckedIOException if a file cannot be read
   * @throws IllegalArgumentException if a file holds no Ed25519 key or the two keys do not match
   */
  public static CheckpointSigner fromPemFiles(Path privateKeyPem, Path publicKeyPem) {
    Objects.requireNonNull(privateKeyPem, "privateKeyPem");
    Objects.requireNonNull(publicKeyPem, "publicKeyPem");
    return fromPem(read(privateKeyPem), read(publicKeyPem));
  }

  /** Like {@link #fromPemFiles} with the PEM text. */
  public static CheckpointSigner fromPem(String privateKeyPem, String publicKeyPem) {
    CheckpointSigner signer = new CheckpointSigner(Pem.privateKey(privateKeyPem), Pem.publicKey(publicKeyPem));
    signer.checkPair();
    return signer;
  }

  /**
   * A new random key that lives only as long as this JVM. Checkpoints it signs cannot be verified
   * by anyone who does not get its public key from this process: never use it in production.
   */
  public static CheckpointSigner generateForDevelopment() {
    KeyPair pair = newKeyPair();
    CheckpointSigner signer = new CheckpointSigner(pair.getPrivate(), pair.getPublic());
    LOG.warn("*** auditkit: checkpoints are signed with a GENERATED DEVELOPMENT KEY (fingerprint {}). It is lost "
        + "when this JVM stops, so nobody can later prove these checkpoints. Configure "
        + "CheckpointSigner.fromPemFiles(...) with a key kept outside the database for production. ***", signer.fingerprint);
    return signer;
  }

  /** A fresh Ed25519 key pair (for tests and key set-up tools). */
  public static KeyPair newKeyPair() {
    try {
      return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Ed25519 is built into every JDK since 15", e);
    }
  }

  /** Signs the head of a chain at {@code time} (truncated to microseconds). */
  public Checkpoint sign(ChainHead head, Instant time) {
    Objects.requireNonNull(head, "head");
    Objects.requireNonNull(time, "time");
    if (head.sequence() < 1) {
      throw new IllegalArgumentException("an empty chain has nothing to checkpoint: " + head.chainId());
    }
    Instant t = time.truncatedTo(ChronoUnit.MICROS);
    byte[] payload = Checkpoint.payload(head.chainId(), head.sequence(), head.hash(), t, fingerprint);
    try {
      Signature s = Signature.getInstance("Ed25519");
      s.initSign(privateKey);
      s.update(payload);
      String sig = Base64.getEncoder().encodeToString(s.sign());
      return Checkpoint.of(head.chainId(), head.sequence(), head.hash(), t, fingerprint, sig);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Ed25519 signing failed", e);
    }
  }

  public PublicKey publicKey() {
    return publicKey;
  }

  /** Hex SHA-256 of the public key's X.509 SPKI DER; stored with every checkpoint. */
  public String fingerprint() {
    return fingerprint;
  }

  /** The public key as PEM, to hand to verifiers and auditors. */
  public String publicKeyPem() {
    return Pem.encode("PUBLIC KEY", publicKey.getEncoded());
  }

  /** A {@link CheckpointKeys} that trusts only this signer's public key. */
  public CheckpointKeys keys() {
    return CheckpointKeys.of(publicKey);
  }

  private void checkPair() {
    Checkpoint probe = sign(ChainHead.of(ChainIds.GLOBAL, 1, "0".repeat(64)), Instant.EPOCH);
    if (!keys().verify(probe)) {
      throw new IllegalArgumentException("the private key and the public key are not a pair");
    }
  }

  private static String read(Path p) {
    try {
      return Files.readString(p, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read key file " + p + ": " + e.getMessage(), e);
    }
  }

  @Override
  public String toString() {
    return "CheckpointSigner{Ed25519 " + fingerprint + "}";
  }
}

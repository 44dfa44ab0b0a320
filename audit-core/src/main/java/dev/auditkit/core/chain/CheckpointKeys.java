package dev.auditkit.core.chain;

import dev.auditkit.core.chain.internal.Hashes;
import dev.auditkit.core.chain.internal.Pem;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The public keys a verifier trusts, by fingerprint (hex SHA-256 of the X.509 SPKI DER). A
 * checkpoint verifies only if its key is one of these and its Ed25519 signature is valid: keys
 * named inside an export or a database are never trusted on their own. Immutable, thread-safe.
 */
public final class CheckpointKeys {
  private final Map<String, PublicKey> byFingerprint;

  private CheckpointKeys(Map<String, PublicKey> byFingerprint) {
    this.byFingerprint = byFingerprint;
  }

  /**
   * Trusts these Ed25519 public keys.
   *
   * @throws IllegalArgumentException for a key that is not Ed25519
   */
  public static CheckpointKeys of(List<PublicKey> keys) {
    Map<String, PublicKey> m = new LinkedHashMap<>();
    for (PublicKey k : Objects.requireNonNull(keys, "keys")) {
      Objects.requireNonNull(k, "key");
      if (!"Ed25519".equals(k.getAlgorithm()) && !"EdDSA".equals(k.getAlgorithm())) {
        throw new IllegalArgumentException("only Ed25519 keys are supported, got " + k.getAlgorithm());
      }
      m.put(fingerprint(k), k);
    }
    return new CheckpointKeys(Collections.unmodifiableMap(m));
  }

  public static CheckpointKeys of(PublicKey... keys) {
    return of(List.of(keys));
  }

  /** Trusts nobody: every checkpoint fails to verify. */
  public static CheckpointKeys none() {
    return new CheckpointKeys(Map.of());
  }

  /**
   * Reads X.509 SubjectPublicKeyInfo PEM files ({@code -----BEGIN PUBLIC KEY-----}).
   *
   * @throws UncheckedIOException if a file cannot be read
   * @throws IllegalArgumentException if a file holds no Ed25519 public key
   */
  public static CheckpointKeys fromPemFiles(List<Path> files) {
    List<PublicKey> keys = new java.util.ArrayList<>();
    for (Path f : files) {
      try {
        keys.add(Pem.publicKey(Files.readString(f, StandardCharsets.US_ASCII)));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read public key " + f + ": " + e.getMessage(), e);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(f + ": " + e.getMessage(), e);
      }
    }
    return of(keys);
  }

  /** Hex SHA-256 of the key's X.509 SubjectPublicKeyInfo DER encoding. */
  public static String fingerprint(PublicKey key) {
    return Hashes.hex(Hashes.sha256().digest(key.getEncoded()));
  }

  public Set<String> fingerprints() {
    return byFingerprint.keySet();
  }

  public Map<String, PublicKey> keys() {
    return byFingerprint;
  }

  public boolean trusts(String fingerprint) {
    return byFingerprint.containsKey(fingerprint);
  }

  /** True when the checkpoint's key is trusted and its signature is valid over its fields. */
  public boolean verify(Checkpoint c) {
    PublicKey key = byFingerprint.get(c.keyFingerprint());
    if (key == null) {
      return false;
    }
    try {
      Signature s = Signature.getInstance("Ed25519");
      s.initVerify(key);
      s.update(c.signedPayload());
      return s.verify(Base64.getDecoder().decode(c.signature()));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      return false;
    }
  }
}

package dev.auditkit.core.chain;

import dev.auditkit.core.chain.internal.Hashes;
import dev.auditkit.core.internal.EventJson;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Objects;

/**
 * A signed statement "chain {@code chainId} had hash {@code headHash} at {@code sequence}", made
 * by {@link CheckpointSigner} with Ed25519. Someone who can write the database but does not hold
 * the private key cannot rewrite the chain up to a checkpoint without {@link ChainVerifier}
 * noticing. The signed bytes are {@link #signedPayload()}; see docs/canonical-encoding.md §6.
 */
public final class Checkpoint {
  private final String chainId;
  private final long sequence;
  private final String headHash;
  private final Instant time;
  private final String keyFingerprint;
  private final String signature;

  private Checkpoint(String chainId, long sequence, String headHash, Instant time, String keyFingerprint,
      String signature) {
    this.chainId = chainId;
    this.sequence = sequence;
    this.headHash = headHash;
    this.time = time;
    this.keyFingerprint = keyFingerprint;
    this.signature = signature;
  }

  /**
   * A checkpoint as stored or exported. Validates the form of each field, not the signature (that
   * is {@link CheckpointKeys#verify(Checkpoint)}).
   *
   * @throws IllegalArgumentException naming the malformed field
   * @throws NullPointerException naming a null field
   */
  public static Checkpoint of(String chainId, long sequence, String headHash, Instant time, String keyFingerprint,
      String signature) {
    ChainIds.require(Objects.requireNonNull(chainId, "chainId"));
    if (sequence < 1) {
      throw new IllegalArgumentException("sequence must be >= 1: " + sequence);
    }
    if (!Hashes.isSha256Hex(headHash)) {
      throw new IllegalArgumentException("headHash must be 64 lower-case hex digits: " + headHash);
    }
    Objects.requireNonNull(time, "time");
    if (!Hashes.isSha256Hex(keyFingerprint)) {
      throw new IllegalArgumentException("keyFingerprint must be 64 lower-case hex digits: " + keyFingerprint);
    }
    Objects.requireNonNull(signature, "signature");
    try {
      if (Base64.getDecoder().decode(signature).length != 64) {
        throw new IllegalArgumentException("signature must be a base64 Ed25519 signature (64 bytes)");
      }
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("signature must be a base64 Ed25519 signature (64 bytes)", e);
    }
    return new Checkpoint(chainId, sequence, headHash, time.truncatedTo(ChronoUnit.MICROS), keyFingerprint, signature);
  }

  /** The bytes that are signed: see docs/canonical-encoding.md §6. */
  public byte[] signedPayload() {
    return payload(chainId, sequence, headHash, time, keyFingerprint);
  }

  static byte[] payload(String chainId, long sequence, String headHash, Instant time, String fingerprint) {
    return ("auditkit.checkpoint.v1\n" + chainId + "\n" + sequence + "\n" + headHash + "\n"
        + EventJson.formatTime(time) + "\n" + fingerprint).getBytes(StandardCharsets.UTF_8);
  }

  public String chainId() {
    return chainId;
  }

  public long sequence() {
    return sequence;
  }

  /** Hex SHA-256 of the chain at {@link #sequence()}. */
  public String headHash() {
    return headHash;
  }

  /** When it was signed, UTC, microseconds. */
  public Instant time() {
    return time;
  }

  /** Hex SHA-256 of the signer's public key (X.509 SubjectPublicKeyInfo DER). */
  public String keyFingerprint() {
    return keyFingerprint;
  }

  /** Base64 Ed25519 signature over {@link #signedPayload()}. */
  public String signature() {
    return signature;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Checkpoint c
        && sequence == c.sequence
        && chainId.equals(c.chainId)
        && headHash.equals(c.headHash)
        && time.equals(c.time)
        && keyFingerprint.equals(c.keyFingerprint)
        && signature.equals(c.signature);
  }

  @Override
  public int hashCode() {
    return Objects.hash(chainId, sequence, headHash, signature);
  }

  @Override
  public String toString() {
    return "Checkpoint{" + chainId + "#" + sequence + " " + headHash + " at " + EventJson.formatTime(time)
        + " key " + keyFingerprint.substring(0, 16) + "}";
  }
}

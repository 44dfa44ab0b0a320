package dev.auditkit.core;

import java.util.Objects;

/**
 * The position of a sealed event in its tenant's hash chain: chain id, gapless sequence from 1,
 * the previous event's hash and this event's hash (lower-case hex SHA-256).
 */
public final class Seal {
  private final String chainId;
  private final long sequence;
  private final String previousHash;
  private final String hash;

  public Seal(String chainId, long sequence, String previousHash, String hash) {
    this.chainId = Objects.requireNonNull(chainId, "chainId");
    if (sequence < 1) {
      throw new IllegalArgumentException("sequence must be >= 1: " + sequence);
    }
    this.sequence = sequence;
    this.previousHash = Objects.requireNonNull(previousHash, "previousHash");
    this.hash = Objects.requireNonNull(hash, "hash");
  }

  public String chainId() {
    return chainId;
  }

  public long sequence() {
    return sequence;
  }

  public String previousHash() {
    return previousHash;
  }

  public String hash() {
    return hash;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Seal s
        && sequence == s.sequence
        && chainId.equals(s.chainId)
        && previousHash.equals(s.previousHash)
        && hash.equals(s.hash);
  }

  @Override
  public int hashCode() {
    return Objects.hash(chainId, sequence, hash);
  }

  @Override
  public String toString() {
    return "Seal{" + chainId + "#" + sequence + " " + hash + "}";
  }
}

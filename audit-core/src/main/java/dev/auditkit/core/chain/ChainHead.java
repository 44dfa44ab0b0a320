package dev.auditkit.core.chain;

import dev.auditkit.core.chain.internal.Hashes;
import java.util.Objects;

/**
 * The end of a chain: its last sequence number (0 while empty) and the hash at that position (the
 * chain's genesis hash while empty). A store keeps one head per chain and hands it to
 * {@link ChainSealer} to continue the chain.
 */
public final class ChainHead {
  private final String chainId;
  private final long sequence;
  private final String hash;

  private ChainHead(String chainId, long sequence, String hash) {
    this.chainId = chainId;
    this.sequence = sequence;
    this.hash = hash;
  }

  /** The head of a chain with no events. */
  public static ChainHead empty(String chainId) {
    ChainIds.require(chainId);
    return new ChainHead(chainId, 0, ChainSealer.genesisHash(chainId));
  }

  /**
   * A head read back from a store.
   *
   * @throws IllegalArgumentException for a malformed chain id, a negative sequence or a hash that
   *     is not 64 lower-case hex digits
   */
  public static ChainHead of(String chainId, long sequence, String hash) {
    ChainIds.require(chainId);
    if (sequence < 0) {
      throw new IllegalArgumentException("sequence must be >= 0: " + sequence);
    }
    if (!Hashes.isSha256Hex(hash)) {
      throw new IllegalArgumentException("hash must be 64 lower-case hex digits: " + hash);
    }
    if (sequence == 0 && !hash.equals(ChainSealer.genesisHash(chainId))) {
      throw new IllegalArgumentException("an empty chain's head must be its genesis hash");
    }
    return new ChainHead(chainId, sequence, hash);
  }

  public String chainId() {
    return chainId;
  }

  /** The last sealed sequence number; 0 for an empty chain. */
  public long sequence() {
    return sequence;
  }

  /** Hex SHA-256 at {@link #sequence()}; the genesis hash for an empty chain. */
  public String hash() {
    return hash;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ChainHead h && sequence == h.sequence && chainId.equals(h.chainId) && hash.equals(h.hash);
  }

  @Override
  public int hashCode() {
    return Objects.hash(chainId, sequence, hash);
  }

  @Override
  public String toString() {
    return "ChainHead{" + chainId + "#" + sequence + " " + hash + "}";
  }
}

package dev.auditkit.core.chain.internal;

import dev.auditkit.core.AuditEvent;
import java.security.MessageDigest;

/**
 * Computes event hashes and chain links, reusing one buffer and one digest. Not thread-safe.
 *
 * <p>{@code eventHash = SHA-256(canonical(event))}; {@code link = SHA-256(previousHash || eventHash)}.
 * The event hash does not depend on the chain, so a store can compute it when the event is written
 * and a sealer can chain events without reading them back.
 */
public final class ChainHasher {
  private final CanonicalWriter writer = new CanonicalWriter();
  private final MessageDigest digest = Hashes.sha256();

  /** {@code SHA-256(canonical(event))}, 32 bytes. */
  public byte[] eventHash(AuditEvent event) {
    writer.event(event);
    digest.update(writer.buffer(), 0, writer.length());
    return digest.digest();
  }

  /** {@code SHA-256(previousHash || eventHash)}, both 32 raw bytes. */
  public byte[] link(byte[] previousHash, byte[] eventHash) {
    digest.update(previousHash);
    digest.update(eventHash);
    return digest.digest();
  }

  /** The chain hash of {@code event} after {@code previousHash}. */
  public byte[] hash(byte[] previousHash, AuditEvent event) {
    return link(previousHash, eventHash(event));
  }

  /** Bytes of buffer this hasher keeps between events (grown to the largest event it encoded). */
  public int retainedBytes() {
    return writer.buffer().length;
  }

  /** Like {@link #hash(byte[], AuditEvent)} with hex in and out. */
  public String hashHex(String previousHashHex, AuditEvent event) {
    return Hashes.hex(hash(Hashes.unhex(previousHashHex), event));
  }
}

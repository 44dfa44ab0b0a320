package dev.auditkit.core.chain.internal;

import dev.auditkit.core.AuditEvent;
import java.security.MessageDigest;

/** Computes chain hashes, reusing one buffer and one digest. Not thread-safe. */
public final class ChainHasher {
  private final CanonicalWriter writer = new CanonicalWriter();
  private final MessageDigest digest = Hashes.sha256();

  /** {@code SHA-256(previousHash || canonical(event))}. */
  public byte[] hash(byte[] previousHash, AuditEvent event) {
    writer.event(event);
    digest.update(previousHash);
    digest.update(writer.buffer(), 0, writer.length());
    return digest.digest();
  }

  /** Like {@link #hash(byte[], AuditEvent)} with hex in and out. */
  public String hashHex(String previousHashHex, AuditEvent event) {
    return Hashes.hex(hash(Hashes.unhex(previousHashHex), event));
  }
}

package dev.auditkit.core.chain;

import dev.auditkit.core.AuditEvent;
import dev.auditkit.core.chain.internal.CanonicalWriter;
import dev.auditkit.core.chain.internal.ChainHasher;
import dev.auditkit.core.internal.Reusables;
import dev.auditkit.core.chain.internal.Hashes;
import java.util.Objects;

/**
 * The deterministic, versioned byte form of an event that the hash chain covers: the line
 * {@code auditkit.event.v1} followed by canonical JSON of every event field (sorted keys, no
 * whitespace, numbers by value, UTC microsecond times, UTF-8). The exact rules, with test vectors,
 * are in {@code docs/canonical-encoding.md}; an outside verifier can be written from that page.
 *
 * <p>The seal is not part of the encoding. Two events that are equal field by field encode to the
 * same bytes whatever the key order of their JSON values or the number scale ({@code 42.5} and
 * {@code 42.50}), so an event read back from a store (PostgreSQL jsonb reorders keys) hashes as it
 * did when it was sealed.
 */
public final class CanonicalEncoding {
  /** The version line of this encoding, without its newline. */
  public static final String VERSION = "auditkit.event.v1";

  /** Writers' buffers and digests, reused: making them costs more than hashing a small event. */
  private static final Reusables<ChainHasher> HASHERS = new Reusables<>();
  private static final int MAX_RETAINED_BYTES = 256 * 1024;

  private CanonicalEncoding() {}

  /**
   * The canonical bytes of an event.
   *
   * @throws IllegalArgumentException if the event holds a value the encoding cannot represent: a
   *     lone UTF-16 surrogate or a time outside the years 0001-9999 (built events never do)
   */
  public static byte[] encode(AuditEvent event) {
    Objects.requireNonNull(event, "event");
    return new CanonicalWriter().event(event).toByteArray();
  }

  /** SHA-256 of {@link #encode(AuditEvent)}: the event hash that the chain links (32 bytes). */
  public static byte[] sha256(AuditEvent event) {
    Objects.requireNonNull(event, "event");
    ChainHasher hasher = HASHERS.take();
    if (hasher == null) {
      hasher = new ChainHasher();
    }
    byte[] hash = hasher.eventHash(event); // a hasher that failed is not put back
    if (hasher.retainedBytes() <= MAX_RETAINED_BYTES) { // a rare huge event's buffer is not kept
      HASHERS.give(hasher);
    }
    return hash;
  }

  /** Lower-case hex of {@link #sha256(AuditEvent)}. */
  public static String sha256Hex(AuditEvent event) {
    return Hashes.hex(sha256(event));
  }
}

package dev.auditkit.core.chain;

/** What {@link ChainVerifier} found wrong at the first bad position of a chain. */
public enum TamperKind {
  /** An event's fields, or its seal, no longer match its hash. */
  MODIFIED,
  /** A sequence number is absent, or an intact event no longer links to the one before it. */
  MISSING,
  /** An event that does not belong: a forged row pushed into the sequence, or a duplicate number. */
  INSERTED,
  /** Two events exchanged places (their contents or their sequence numbers). */
  REORDERED,
  /** A checkpoint whose signature is invalid or whose key is not trusted. */
  BAD_SIGNATURE,
  /** A validly signed checkpoint whose hash differs from the chain at that position (the chain was rewritten). */
  CHECKPOINT_MISMATCH,
  /** A validly signed checkpoint names a position beyond the last event: the newest events were removed. */
  TRUNCATED,
  /** Events stayed unsealed longer than the allowed sealing lag. */
  UNSEALED
}

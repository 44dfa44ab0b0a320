package dev.auditkit.core.chain;

import dev.auditkit.core.AuditEvent;
import dev.auditkit.core.Seal;
import dev.auditkit.core.chain.internal.ChainHasher;
import dev.auditkit.core.chain.internal.Hashes;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Continues a chain from a {@link ChainHead}: each event gets the next sequence number and
 * {@code hash = SHA-256(previousHash || eventHash)}, both as 32 raw bytes, where {@code eventHash =
 * SHA-256(canonical bytes of the event)} ({@link CanonicalEncoding#sha256(AuditEvent)}). The first
 * event's previous hash is the chain's {@link #genesisHash(String) genesis hash}. Pure computation,
 * no I/O; a store persists the seals and the new {@link #head()} in one transaction.
 *
 * <p>Not thread-safe: a sealer is a cursor for one chain, used by whoever holds that chain's lock.
 */
public final class ChainSealer {
  private final ChainHasher hasher = new ChainHasher();
  private final String chainId;
  private long sequence;
  private byte[] previous;
  private String previousHex;

  private ChainSealer(ChainHead head) {
    this.chainId = head.chainId();
    this.sequence = head.sequence();
    this.previousHex = head.hash();
    this.previous = Hashes.unhex(head.hash());
  }

  /** A sealer that continues after {@code head}. */
  public static ChainSealer startingAt(ChainHead head) {
    return new ChainSealer(Objects.requireNonNull(head, "head"));
  }

  /** Seals {@code events} in order after {@code head}; the seals are in the same order. */
  public static List<Seal> seal(ChainHead head, List<AuditEvent> events) {
    return startingAt(head).sealAll(events);
  }

  /**
   * Seals the next event of this chain.
   *
   * @throws IllegalArgumentException if the event belongs to another chain or is already sealed
   */
  public Seal seal(AuditEvent event) {
    Objects.requireNonNull(event, "event");
    if (event.seal().isPresent()) {
      throw new IllegalArgumentException("event " + event.id() + " is already sealed: " + event.seal().get());
    }
    String eventChain = ChainIds.of(event);
    if (!eventChain.equals(chainId)) {
      throw new IllegalArgumentException("event " + event.id() + " belongs to chain " + eventChain + ", not " + chainId);
    }
    return append(hasher.eventHash(event));
  }

  /**
   * Seals the next event of this chain given its event hash, as a store computed it when it wrote
   * the event: the sealer then never reads the event back. Whoever verifies the chain recomputes
   * the event hash from the stored event, so a wrong or forged event hash is reported there.
   *
   * @param eventChainId the event's chain ({@link ChainIds#of}), checked against this chain
   * @param eventHash {@code SHA-256} of the event's canonical bytes, 32 bytes
   * @throws IllegalArgumentException if the event belongs to another chain or the hash is not 32 bytes
   */
  public Seal seal(String eventChainId, byte[] eventHash) {
    if (!chainId.equals(eventChainId)) {
      throw new IllegalArgumentException("the event belongs to chain " + eventChainId + ", not " + chainId);
    }
    if (Objects.requireNonNull(eventHash, "eventHash").length != 32) {
      throw new IllegalArgumentException("an event hash has 32 bytes, got " + eventHash.length);
    }
    return append(eventHash);
  }

  private Seal append(byte[] eventHash) {
    byte[] hash = hasher.link(previous, eventHash);
    Seal seal = new Seal(chainId, sequence + 1, previousHex, Hashes.hex(hash));
    sequence++;
    previous = hash;
    previousHex = seal.hash();
    return seal;
  }

  /** Seals every event in order. */
  public List<Seal> sealAll(List<AuditEvent> events) {
    List<Seal> out = new ArrayList<>(events.size());
    for (AuditEvent e : events) {
      out.add(seal(e));
    }
    return out;
  }

  /** The head after the last sealed event. */
  public ChainHead head() {
    return ChainHead.of(chainId, sequence, previousHex);
  }

  /** {@code SHA-256(previousHash bytes || SHA-256(canonical bytes))} as hex, for one event. */
  public static String hash(String previousHash, AuditEvent event) {
    if (!Hashes.isSha256Hex(previousHash)) {
      throw new IllegalArgumentException("previousHash must be 64 lower-case hex digits: " + previousHash);
    }
    return new ChainHasher().hashHex(previousHash, Objects.requireNonNull(event, "event"));
  }

  /** The previous hash of a chain's first event: hex SHA-256 of {@code "auditkit.chain.v2\n" + chainId}. */
  public static String genesisHash(String chainId) {
    ChainIds.require(chainId);
    return Hashes.hex(Hashes.sha256().digest(("auditkit.chain.v2\n" + chainId).getBytes(StandardCharsets.UTF_8)));
  }
}

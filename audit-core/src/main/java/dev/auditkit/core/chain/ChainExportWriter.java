package dev.auditkit.core.chain;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.auditkit.core.AuditEvent;
import dev.auditkit.core.Seal;
import dev.auditkit.core.chain.internal.CheckpointJson;
import dev.auditkit.core.internal.EventJson;
import dev.auditkit.core.internal.Json;
import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.time.Instant;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * Writes the verifiable JSONL export of one chain (format {@code auditkit.chain-export} v1,
 * docs/canonical-encoding.md §7): a header, the sealed events in sequence order with each
 * checkpoint right after the event of its sequence, and an end line. The offline verifier
 * ({@code java -jar audit-core-<version>-cli.jar verify export.jsonl --public-key key.pem})
 * checks it without a database. Not thread-safe.
 */
public final class ChainExportWriter implements Closeable {
  /** The {@code format} value of the header line. */
  public static final String FORMAT = "auditkit.chain-export";
  /** The {@code version} value of the header line. */
  public static final int VERSION = 1;

  private final Writer out;
  private final String chainId;
  private long lastSequence = -1;
  private long events;
  private long checkpoints;
  private boolean finished;

  private ChainExportWriter(Writer out, String chainId) {
    this.out = out;
    this.chainId = chainId;
  }

  /**
   * Starts an export and writes its header. {@code publicKeys} are listed for the reader's
   * information; a verifier only trusts keys it is given separately.
   */
  public static ChainExportWriter open(OutputStream out, String chainId, List<PublicKey> publicKeys, Instant exportedAt) {
    Objects.requireNonNull(out, "out");
    ChainIds.require(Objects.requireNonNull(chainId, "chainId"));
    Objects.requireNonNull(publicKeys, "publicKeys");
    Objects.requireNonNull(exportedAt, "exportedAt");
    ChainExportWriter w = new ChainExportWriter(
        new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16), chainId);
    ObjectNode h = Json.nodes().objectNode();
    h.put("type", "header");
    h.put("format", FORMAT);
    h.put("version", VERSION);
    h.put("chainId", chainId);
    h.put("encoding", CanonicalEncoding.VERSION);
    h.put("exportedAt", EventJson.formatTime(exportedAt));
    ArrayNode keys = h.putArray("publicKeys");
    for (PublicKey k : publicKeys) {
      ObjectNode kn = keys.addObject();
      kn.put("fingerprint", CheckpointKeys.fingerprint(k));
      kn.put("spki", Base64.getEncoder().encodeToString(k.getEncoded()));
    }
    w.line(h);
    return w;
  }

  /**
   * Writes every event and checkpoint of {@code source} in order and the end line; streams, so
   * any chain length fits. Does not close {@code out}.
   */
  public static void export(ChainSource source, List<PublicKey> publicKeys, Instant exportedAt, OutputStream out) {
    export(source, publicKeys, exportedAt, out, null);
  }

  /**
   * Like {@link #export(ChainSource, List, Instant, OutputStream)}; when the last event exported has
   * no checkpoint, {@code headSigner} signs one for it at {@code exportedAt} (a <i>signed head</i>,
   * written after it and not stored anywhere else). The end line is not signed, so the newest
   * events after the last stored checkpoint could otherwise be cut from the file, the counts fixed,
   * and the file would still verify; a verifier that requires a signed head
   * ({@link ChainVerifier.Builder#requireSignedHead}, CLI {@code --require-signed-head}) finds such a cut.
   *
   * @param headSigner the store's signer, or null for none
   */
  public static void export(ChainSource source, List<PublicKey> publicKeys, Instant exportedAt, OutputStream out,
      CheckpointSigner headSigner) {
    ChainExportWriter w = open(out, source.chainId(), publicKeys, exportedAt);
    String lastHash = null;
    long lastCheckpoint = 0;
    // checkpoints first, as ChainVerifier does: none can then name a position past the events read
    try (Stream<Checkpoint> cs = source.checkpoints(); Stream<AuditEvent> es = source.events()) {
      Iterator<Checkpoint> cps = cs.iterator();
      Checkpoint pendingCp = cps.hasNext() ? cps.next() : null;
      for (Iterator<AuditEvent> it = es.iterator(); it.hasNext(); ) {
        AuditEvent e = it.next();
        long seq = e.seal().map(Seal::sequence).orElse(Long.MAX_VALUE);
        while (pendingCp != null && pendingCp.sequence() < seq) {
          w.write(pendingCp);
          lastCheckpoint = Math.max(lastCheckpoint, pendingCp.sequence());
          pendingCp = cps.hasNext() ? cps.next() : null;
        }
        w.write(e);
        lastHash = e.seal().map(Seal::hash).orElse(null);
      }
      while (pendingCp != null) {
        w.write(pendingCp);
        lastCheckpoint = Math.max(lastCheckpoint, pendingCp.sequence());
        pendingCp = cps.hasNext() ? cps.next() : null;
      }
    }
    if (headSigner != null && w.events > 0 && lastHash != null && lastCheckpoint < w.lastSequence) {
      w.write(headSigner.sign(ChainHead.of(source.chainId(), w.lastSequence, lastHash), exportedAt));
    }
    w.finish();
  }

  /**
   * Writes one sealed event.
   *
   * @throws IllegalArgumentException if it has no seal, belongs to another chain, or comes out of
   *     sequence order
   */
  public void write(AuditEvent event) {
    Objects.requireNonNull(event, "event");
    Seal s = event.seal().orElseThrow(() -> new IllegalArgumentException("event " + event.id() + " is not sealed"));
    if (!s.chainId().equals(chainId)) {
      throw new IllegalArgumentException("event " + event.id() + " is sealed in " + s.chainId() + ", not " + chainId);
    }
    if (s.sequence() <= lastSequence) {
      throw new IllegalArgumentException("events must be written in sequence order: #" + s.sequence() + " after #" + lastSequence);
    }
    lastSequence = s.sequence();
    ObjectNode n = Json.nodes().objectNode();
    n.put("type", "event");
    n.set("event", EventJson.toJson(event));
    line(n);
    events++;
  }

  /** Writes one checkpoint (after the event of its sequence, or before the first event for a purge base). */
  public void write(Checkpoint checkpoint) {
    Objects.requireNonNull(checkpoint, "checkpoint");
    if (!checkpoint.chainId().equals(chainId)) {
      throw new IllegalArgumentException("checkpoint of " + checkpoint.chainId() + " in the export of " + chainId);
    }
    ObjectNode n = Json.nodes().objectNode();
    n.put("type", "checkpoint");
    n.set("checkpoint", CheckpointJson.toJson(checkpoint));
    line(n);
    checkpoints++;
  }

  /** Writes the end line and flushes. Further writes fail. */
  public void finish() {
    if (finished) {
      return;
    }
    ObjectNode n = Json.nodes().objectNode();
    n.put("type", "end");
    n.put("events", events);
    n.put("checkpoints", checkpoints);
    line(n);
    finished = true;
    try {
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@link #finish() Finishes} and closes the underlying stream. */
  @Override
  public void close() {
    try {
      finish();
    } finally {
      try {
        out.close();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  private void line(ObjectNode n) {
    if (finished) {
      throw new IllegalStateException("the export is finished");
    }
    try {
      out.write(Json.text(n));
      out.write('\n');
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

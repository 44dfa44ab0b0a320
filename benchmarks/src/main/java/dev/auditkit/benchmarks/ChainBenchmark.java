package dev.auditkit.benchmarks;

import dev.auditkit.core.Actor;
import dev.auditkit.core.AuditEvent;
import dev.auditkit.core.AuditLimits;
import dev.auditkit.core.EventKind;
import dev.auditkit.core.FieldChange;
import dev.auditkit.core.RequestInfo;
import dev.auditkit.core.Resource;
import dev.auditkit.core.Seal;
import dev.auditkit.core.SourceInfo;
import dev.auditkit.core.chain.CanonicalEncoding;
import dev.auditkit.core.chain.ChainHead;
import dev.auditkit.core.chain.ChainSealer;
import dev.auditkit.core.chain.ChainSource;
import dev.auditkit.core.chain.ChainVerification;
import dev.auditkit.core.chain.ChainVerifier;
import dev.auditkit.core.chain.Checkpoint;
import dev.auditkit.core.chain.CheckpointSigner;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Hash-chain throughput in memory, one chain, events per second: canonical encoding alone,
 * sealing (encoding + SHA-256 + seal objects), and a full {@link ChainVerifier} pass with a signed
 * checkpoint every 10 000 events. {@code sha256Baseline} hashes the pre-encoded bytes only: the
 * ratio seal / baseline says what the encoding costs on top of the hash, whatever the load. Events are typical UPDATE events (~0.8 KB canonical: actor,
 * request, source, two field changes, small snapshots and metadata).
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar ChainBenchmark -f 1 -wi 3 -i 5</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ChainBenchmark {
  static final int EVENTS = 10_000;
  static final String CHAIN = "t:org-17";

  private List<AuditEvent> events;
  private List<byte[]> encoded;
  private List<AuditEvent> sealed;
  private List<Checkpoint> checkpoints;
  private ChainVerifier verifier;

  @Setup
  public void setUp() {
    events = new ArrayList<>(EVENTS);
    for (int i = 0; i < EVENTS; i++) {
      events.add(event(i));
    }
    encoded = new ArrayList<>(EVENTS);
    for (AuditEvent e : events) {
      encoded.add(CanonicalEncoding.encode(e));
    }
    CheckpointSigner signer = CheckpointSigner.generateForDevelopment();
    ChainSealer sealer = ChainSealer.startingAt(ChainHead.empty(CHAIN));
    sealed = new ArrayList<>(EVENTS);
    for (AuditEvent e : events) {
      Seal s = sealer.seal(e);
      sealed.add(e.toBuilder().seal(s).build(AuditLimits.unlimited()));
    }
    checkpoints = List.of(signer.sign(sealer.head(), Instant.now()));
    verifier = ChainVerifier.builder(signer.keys()).build();
  }

  static AuditEvent event(int i) {
    return AuditEvent.builder()
        .occurredAt(Instant.parse("2026-01-02T03:04:05.123456Z").plusMillis(i))
        .tenantId("org-17")
        .actor(Actor.user("u-" + (i % 100)).role("admin").email("user" + (i % 100) + "@example.com").extraId("workerId", "w-7"))
        .action("invoice.updated").kind(EventKind.UPDATE)
        .resource(Resource.of("invoice", "inv-" + i).label("Invoice #" + i))
        .addChange(FieldChange.of("status", JsonNodeFactory.instance.textNode("OPEN"), JsonNodeFactory.instance.textNode("PAID")))
        .addChange(FieldChange.of("total", JsonNodeFactory.instance.numberNode(new BigDecimal("120.50")),
            JsonNodeFactory.instance.numberNode(new BigDecimal("99.90"))))
        .oldValue(Map.of("status", "OPEN", "total", new BigDecimal("120.50"), "customer", "c-" + i))
        .newValue(Map.of("status", "PAID", "total", new BigDecimal("99.90"), "customer", "c-" + i))
        .metadata(Map.of("apiRoute", "admin/invoices", "attempt", 1, "reason", "customer paid by card"))
        .request(RequestInfo.builder().ip("203.0.113.9").userAgent("Mozilla/5.0 (X11; Linux x86_64)")
            .method("PUT").path("/api/invoices/" + i).requestId("req-" + i).build())
        .source(SourceInfo.of("billing", "1.4.2", "web-1"))
        .build();
  }

  /** Baseline: only the unavoidable SHA-256 over each event's (pre-encoded) canonical bytes. */
  @Benchmark
  @OperationsPerInvocation(EVENTS)
  public byte[] sha256Baseline() throws Exception {
    java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
    byte[] prev = new byte[32];
    for (byte[] b : encoded) {
      md.update(prev);
      md.update(b);
      prev = md.digest();
    }
    return prev;
  }

  @Benchmark
  @OperationsPerInvocation(EVENTS)
  public void encode(Blackhole bh) {
    for (AuditEvent e : events) {
      bh.consume(CanonicalEncoding.encode(e));
    }
  }

  @Benchmark
  @OperationsPerInvocation(EVENTS)
  public ChainHead seal() {
    ChainSealer sealer = ChainSealer.startingAt(ChainHead.empty(CHAIN));
    for (AuditEvent e : events) {
      sealer.seal(e);
    }
    return sealer.head();
  }

  @Benchmark
  @OperationsPerInvocation(EVENTS)
  public ChainVerification verify() {
    ChainVerification r = verifier.verify(ChainSource.of(CHAIN, sealed, checkpoints));
    if (!r.ok()) {
      throw new IllegalStateException(r.summary());
    }
    return r;
  }
}

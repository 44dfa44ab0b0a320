package dev.auditkit.benchmarks;

import dev.auditkit.core.AuditEvent;
import dev.auditkit.core.AuditLimits;
import dev.auditkit.core.chain.ChainSource;
import dev.auditkit.core.chain.ChainVerification;
import dev.auditkit.core.chain.ChainVerifier;
import dev.auditkit.core.chain.Checkpoint;
import dev.auditkit.core.chain.CheckpointSigner;
import java.time.Instant;
import dev.auditkit.core.chain.ChainHead;
import dev.auditkit.core.chain.ChainSealer;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;

/**
 * Sealing and in-memory verify throughput of one chain per wall-clock second and per CPU second of the sealing thread.
 * On a shared, overloaded machine the CPU-second figure is the one that says what a free core
 * does. Run: {@code java -cp benchmarks/target/benchmarks.jar dev.auditkit.benchmarks.ChainThroughput}
 */
public final class ChainThroughput {
  private ChainThroughput() {}

  public static void main(String[] args) {
    int events = 10_000;
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 60;
    List<AuditEvent> list = new ArrayList<>(events);
    for (int i = 0; i < events; i++) {
      list.add(ChainBenchmark.event(i));
    }
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    String head = "";
    for (int r = 0; r < rounds; r++) {
      long wall0 = System.nanoTime();
      long cpu0 = mx.getCurrentThreadCpuTime();
      ChainSealer sealer = ChainSealer.startingAt(ChainHead.empty(ChainBenchmark.CHAIN));
      for (AuditEvent e : list) {
        sealer.seal(e);
      }
      head = sealer.head().hash();
      long cpu = mx.getCurrentThreadCpuTime() - cpu0;
      long wall = System.nanoTime() - wall0;
      if (r >= rounds - 10) {
        System.out.printf("round %d: %,.0f events/s wall, %,.0f events/CPU-s%n", r, events / (wall / 1e9),
            events / (cpu / 1e9));
      }
    }
    System.out.println("head " + head);
    ChainSealer sealer = ChainSealer.startingAt(ChainHead.empty(ChainBenchmark.CHAIN));
    List<AuditEvent> sealed = new ArrayList<>(events);
    for (AuditEvent e : list) {
      sealed.add(e.toBuilder().seal(sealer.seal(e)).build(AuditLimits.unlimited()));
    }
    CheckpointSigner signer = CheckpointSigner.generateForDevelopment();
    List<Checkpoint> checkpoints = List.of(signer.sign(sealer.head(), Instant.now()));
    ChainVerifier verifier = ChainVerifier.builder(signer.keys()).build();
    for (int r = 0; r < rounds; r++) {
      long wall0 = System.nanoTime();
      long cpu0 = mx.getCurrentThreadCpuTime();
      ChainVerification v = verifier.verify(ChainSource.of(ChainBenchmark.CHAIN, sealed, checkpoints));
      long cpu = mx.getCurrentThreadCpuTime() - cpu0;
      long wall = System.nanoTime() - wall0;
      if (!v.ok()) {
        throw new IllegalStateException(v.summary());
      }
      if (r >= rounds - 10) {
        System.out.printf("verify round %d: %,.0f events/s wall, %,.0f events/CPU-s%n", r, events / (wall / 1e9),
            events / (cpu / 1e9));
      }
    }
  }
}

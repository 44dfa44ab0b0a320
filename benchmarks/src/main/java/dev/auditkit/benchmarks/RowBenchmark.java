package dev.auditkit.benchmarks;

import dev.auditkit.core.AuditEvent;
import dev.auditkit.core.chain.CanonicalEncoding;
import dev.auditkit.jdbc.internal.EventRow;
import dev.auditkit.jdbc.internal.PgWriter;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the store's writer thread spends per event before PostgreSQL sees it: the event flattened
 * to its COPY text row (JSON columns, escaping, the event hash) and, for comparison, the event hash
 * alone (canonical encoding + SHA-256). Events: the ASYNC benchmarks' event and the ingest
 * benchmark's job transition.
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar RowBenchmark</pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Thread)
public class RowBenchmark {
  AuditEvent async;
  List<AuditEvent> jobs;
  int next;

  @Setup
  public void setup() {
    async = AsyncAppendBenchmark.template().build();
    jobs = IngestBenchmark.generate(1024, new Random(7));
  }

  private AuditEvent job() {
    next = (next + 1) & 1023;
    return jobs.get(next);
  }

  @Benchmark
  public byte[] copyRowAsyncEvent() {
    return PgWriter.copyText(List.of(EventRow.of(async)));
  }

  @Benchmark
  public byte[] copyRowJobTransition() {
    return PgWriter.copyText(List.of(EventRow.of(job())));
  }

  @Benchmark
  public byte[] eventHashJobTransition() {
    return CanonicalEncoding.sha256(job());
  }
}

package dev.auditkit.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import dev.auditkit.core.ChangeDiffer;
import dev.auditkit.core.FieldChange;
import dev.auditkit.core.internal.Json;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.javers.core.Javers;
import org.javers.core.JaversBuilder;
import org.javers.core.diff.Diff;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * auditkit's {@link ChangeDiffer} against JaVers {@code compare()} on the same objects in the same
 * run: (a) a 20-field POJO with three changed fields, (b) a 200-field nested document with three
 * changed fields, plus (b) as Jackson trees for the differ alone. Run with {@code -prof gc} for
 * bytes allocated per diff. See {@code docs/benchmarks.md}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class DiffBenchmark {
  private ChangeDiffer differ;
  private Javers javers;
  private Account20 pojoBefore;
  private Account20 pojoAfter;
  private Document200 docBefore;
  private Document200 docAfter;
  private JsonNode treeBefore;
  private JsonNode treeAfter;

  @Setup
  public void setup() {
    differ = ChangeDiffer.defaults();
    javers = JaversBuilder.javers().build();
    pojoBefore = Account20.sample(1);
    pojoAfter = pojoBefore.withThreeChanges();
    docBefore = Document200.sample();
    docAfter = docBefore.withThreeChanges();
    treeBefore = Json.MAPPER.valueToTree(docBefore);
    treeAfter = Json.MAPPER.valueToTree(docAfter);
    check(differ.diff(pojoBefore, pojoAfter).size(), javers.compare(pojoBefore, pojoAfter).getChanges().size(), "POJO");
    check(differ.diff(docBefore, docAfter).size(), javers.compare(docBefore, docAfter).getChanges().size(), "document");
    check(differ.diff(treeBefore, treeAfter).size(), 3, "tree");
  }

  private static void check(int ours, int theirs, String what) {
    if (ours != 3 || theirs != 3) {
      throw new IllegalStateException(what + ": expected 3 changes from both, got auditkit " + ours + ", JaVers " + theirs);
    }
  }

  @Benchmark
  public List<FieldChange> pojo20_auditkit() {
    return differ.diff(pojoBefore, pojoAfter);
  }

  @Benchmark
  public Diff pojo20_javers() {
    return javers.compare(pojoBefore, pojoAfter);
  }

  @Benchmark
  public List<FieldChange> nested200_auditkit() {
    return differ.diff(docBefore, docAfter);
  }

  @Benchmark
  public Diff nested200_javers() {
    return javers.compare(docBefore, docAfter);
  }

  @Benchmark
  public List<FieldChange> nested200Tree_auditkit() {
    return differ.diff(treeBefore, treeAfter);
  }
}

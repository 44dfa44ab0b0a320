package dev.auditkit.benchmarks;

import java.util.Arrays;
import java.util.Locale;

/**
 * What this machine does to the tail of any short call, with no auditkit involved: the latency
 * distribution of a busy loop of a fixed length. Interrupts and scheduler ticks stretch the calls
 * they land in by tens of microseconds, so the longer a call, the more of them it catches: the
 * p99 of a call that takes a few microseconds is its own length, and beyond ~7 us the p99 becomes
 * the interruption. AsyncAppendBenchmark's percentiles are to be read against this.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar dev.auditkit.benchmarks.LatencyFloor</pre>
 */
public final class LatencyFloor {
  private LatencyFloor() {}

  public static void main(String[] args) {
    int n = 400_000;
    System.out.printf(Locale.ROOT, "%-10s %9s %9s %9s%n", "busy loop", "p50 us", "p99 us", "p99.9 us");
    for (int round = 0; round < 2; round++) {
      for (int micros : new int[] {1, 2, 4, 6, 8, 12, 20}) {
        long[] t = new long[n];
        long spin = micros * 1000L;
        for (int i = 0; i < n; i++) {
          long s = System.nanoTime();
          while (System.nanoTime() - s < spin) {
            Thread.onSpinWait();
          }
          t[i] = System.nanoTime() - s;
        }
        Arrays.sort(t);
        if (round == 1) { // the first round warms up
          System.out.printf(Locale.ROOT, "%7d us %9.1f %9.1f %9.1f%n", micros, t[n / 2] / 1e3, t[n * 99 / 100] / 1e3,
              t[n * 999 / 1000] / 1e3);
        }
      }
    }
  }
}

/** JMH benchmarks and end-to-end measurement mains; see {@code docs/benchmarks.md}. */
package dev.auditkit.benchmarks;

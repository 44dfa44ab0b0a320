package dev.auditkit.benchmarks;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.FileAppender;
import dev.auditkit.core.Actor;
import dev.auditkit.core.AuditEvent;
import dev.auditkit.core.AuditLog;
import dev.auditkit.core.AuditSink;
import dev.auditkit.core.Delivery;
import dev.auditkit.core.JournalDurability;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Caller-thread latency of {@code appendAuditLog} with {@link Delivery#ASYNC}: in-memory queue,
 * PROCESS_CRASH journal, POWER_LOSS journal (one thread and four threads sharing fsyncs), beside
 * two baselines measured in the same run: the raw cost of writing 700 bytes and
 * {@code FileChannel.force} on the same disk, and Logback's {@code AsyncAppender} over a
 * {@code FileAppender} logging a comparable line. The store behind the AuditLog discards events:
 * this measures what the calling thread pays, not the store.
 *
 * <p>Journals and files go to {@code -Dauditkit.bench.dir} (default {@code target}); it must be
 * a real disk, not tmpfs, for the fsync figures to mean anything.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 5)
@Fork(1)
public class AsyncAppendBenchmark {

  static Path benchDir(String prefix) throws IOException {
    Path base = Files.createDirectories(Path.of(System.getProperty("auditkit.bench.dir", "target")));
    return Files.createTempDirectory(base, prefix);
  }

  static void deleteTree(Path dir) throws IOException {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    }
  }

  /** A representative event: tenant, actor, resource, a few metadata keys; about 700 bytes as JSON. */
  static AuditEvent.Builder template() {
    return AuditEvent.builder()
        .action("ADMIN_TRIP_LAYOUT_UPDATED")
        .resource("TripUiPreference", "default")
        .tenantId("org-17")
        .actor(Actor.user("u-42").role("admin").email("admin@example.com"))
        .ipAddress("203.0.113.9")
        .userAgent("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36")
        .requestId("req-7f3a9c1e")
        .oldValue(Map.of("columns", 3, "showMap", true, "theme", "light"))
        .newValue(Map.of("columns", 4, "showMap", true, "theme", "dark"))
        .metadata(Map.of("apiRoute", "admin/trip-layout", "reason", "customer request", "ticket", "SUP-1234"));
  }

  /** Discards events: the writer keeps up, so the caller never waits on the queue. */
  static final class DiscardingSink implements AuditSink {
    volatile long count;

    @Override
    public void write(java.util.List<AuditEvent> events) {
      count += events.size();
    }
  }

  @State(Scope.Benchmark)
  public static class Audit {
    AuditLog audit;
    Path dir;
    final AuditEvent.Builder event = template();

    void open(JournalDurability durability) throws IOException {
      AuditLog.Builder b = AuditLog.builder().store(new DiscardingSink()).delivery(Delivery.ASYNC);
      if (durability != null) {
        dir = benchDir("journal-");
        b.journal(dir).journalDurability(durability);
      }
      audit = b.build();
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
      audit.close();
      deleteTree(dir);
    }
  }

  public static class Memory extends Audit {
    @Setup(Level.Trial)
    public void setUp() throws IOException {
      open(null);
    }
  }

  public static class ProcessCrash extends Audit {
    @Setup(Level.Trial)
    public void setUp() throws IOException {
      open(JournalDurability.PROCESS_CRASH);
    }
  }

  /**
   * The store is down for the whole trial: the queue is full after 8192 events and every later
   * event is held by the journal only (spilled). With BLOCK and no journal the caller would wait
   * for ever here. What is journaled is deleted at the end.
   */
  public static class ProcessCrashStoreDown extends Audit {
    @Setup(Level.Trial)
    public void setUp() throws IOException {
      dir = benchDir("journal-down-");
      audit = AuditLog.builder().store(events -> {
        throw new dev.auditkit.core.AuditWriteException("store down (benchmark)");
      }).delivery(Delivery.ASYNC).journal(dir).journalDurability(JournalDurability.PROCESS_CRASH)
          .retryBackoff(java.time.Duration.ofMillis(100), java.time.Duration.ofSeconds(1))
          .closeTimeout(java.time.Duration.ZERO).closeOnShutdown(false)
          // room for this benchmark's own 9 s (up to ~1 GB a second); a longer run (-i/-r on the
          // command line) fills it, and then callers wait for the store (BLOCK) for ever, by design
          .journalCapacity(12L << 30).build();
    }

    @Override
    @TearDown(Level.Trial)
    public void close() throws IOException {
      try {
        audit.close();
      } catch (dev.auditkit.core.UnshippedEventsException expected) {
        // everything is still in the journal: the store never came back
      }
      deleteTree(dir);
    }
  }

  public static class PowerLoss extends Audit {
    @Setup(Level.Trial)
    public void setUp() throws IOException {
      open(JournalDurability.POWER_LOSS);
    }
  }

  @State(Scope.Thread)
  public static class RawFsync {
    Path dir;
    FileChannel ch;
    final ByteBuffer record = ByteBuffer.allocate(700);

    @Setup(Level.Trial)
    public void setUp() throws IOException {
      dir = benchDir("fsync-");
      ch = FileChannel.open(dir.resolve("raw"), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
          StandardOpenOption.APPEND);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
      ch.close();
      deleteTree(dir);
    }
  }

  @State(Scope.Benchmark)
  public static class Logback {
    LoggerContext context;
    Logger logger;
    Path dir;
    final AuditEvent sample = template().build();

    @Setup(Level.Trial)
    public void setUp() throws IOException {
      dir = benchDir("logback-");
      context = new LoggerContext();
      PatternLayoutEncoder encoder = new PatternLayoutEncoder();
      encoder.setContext(context);
      encoder.setPattern("%d{ISO8601} %-5level [%thread] %logger - %msg%n");
      encoder.start();
      FileAppender<ILoggingEvent> file = new FileAppender<>();
      file.setContext(context);
      file.setFile(dir.resolve("audit.log").toString());
      file.setEncoder(encoder);
      file.start();
      ch.qos.logback.classic.AsyncAppender async = new ch.qos.logback.classic.AsyncAppender();
      async.setContext(context);
      async.setQueueSize(8192); // like AuditLog's default queue
      async.setDiscardingThreshold(0); // never drop INFO: the same promise as BLOCK
      async.setNeverBlock(false);
      async.addAppender(file);
      async.start();
      logger = context.getLogger("audit");
      logger.setAdditive(false);
      logger.addAppender(async);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
      context.stop();
      deleteTree(dir);
    }
  }

  @Benchmark
  public Object asyncMemoryQueue(Memory s) {
    return s.audit.appendAuditLog(s.event);
  }

  @Benchmark
  public Object asyncJournalProcessCrash(ProcessCrash s) {
    return s.audit.appendAuditLog(s.event);
  }

  /** PROCESS_CRASH while the store is down: events spill to the journal, the caller does not wait. */
  @Benchmark
  @Warmup(iterations = 1, time = 3)
  @Measurement(iterations = 2, time = 3) // about 1 GB of journal per second is written here
  public Object asyncJournalProcessCrashStoreDown(ProcessCrashStoreDown s) {
    return s.audit.appendAuditLog(s.event);
  }

  @Benchmark
  public Object asyncJournalPowerLoss(PowerLoss s) {
    return s.audit.appendAuditLog(s.event);
  }

  /** Four callers at once: they share fsyncs (group commit). */
  @Benchmark
  @Threads(4)
  public Object asyncJournalPowerLoss4Threads(PowerLoss s) {
    return s.audit.appendAuditLog(s.event);
  }

  /** Baseline: what one durable 700-byte append costs on this disk. */
  @Benchmark
  public void rawWrite700BytesAndForce(RawFsync s) throws IOException {
    s.record.clear();
    s.ch.write(s.record);
    s.ch.force(false);
  }

  /** Baseline: Logback AsyncAppender over a FileAppender, a line with the event's main fields. */
  @Benchmark
  public void logbackAsyncFileAppender(Logback s) {
    AuditEvent e = s.sample;
    s.logger.info("audit action={} tenant={} actor={} resource={}:{} ip={} requestId={} old={} new={} metadata={}",
        e.action(), e.tenantId(), e.actor().id(), e.resource().type(), e.resource().id(), e.request().ip(),
        e.request().requestId(), e.oldValue(), e.newValue(), e.metadata());
  }
}

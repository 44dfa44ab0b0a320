package dev.auditkit.core.chain.internal;

import dev.auditkit.core.AuditEvent;
import dev.auditkit.core.chain.ChainExportException;
import dev.auditkit.core.chain.ChainExportReader;
import dev.auditkit.core.chain.ChainSource;
import dev.auditkit.core.chain.ChainVerification;
import dev.auditkit.core.chain.ChainVerifier;
import dev.auditkit.core.chain.Checkpoint;
import dev.auditkit.core.chain.CheckpointKeys;
import dev.auditkit.core.chain.FileCheckpointWitness;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * The offline verifier: {@code java -jar audit-core-<version>-cli.jar verify export.jsonl
 * --public-key key.pem [--public-key old.pem] [--witness checkpoints.jsonl] [--require-signed-head]}. Exit code 0 when the
 * chain verifies, 1 when it was tampered with, 2 for usage or I/O errors. Progress goes to stderr,
 * the verdict to stdout.
 */
public final class VerifyCommand {
  public static final int OK = 0;
  public static final int TAMPERED = 1;
  public static final int ERROR = 2;

  private static final String USAGE = "usage: verify <export.jsonl> --public-key <key.pem> [--public-key <key.pem>...]"
      + " [--witness <checkpoints.jsonl>] [--require-signed-head]\n"
      + "  Verifies an auditkit chain export offline. Exit 0 = OK, 1 = tampered, 2 = usage or I/O error.\n"
      + "  --require-signed-head: the export's last event must have a signed checkpoint (exportChain writes one),\n"
      + "  so that events cut from the end of the file are found.";

  private VerifyCommand() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  private static boolean isHelp(String a) {
    return a.equals("--help") || a.equals("-h") || a.equals("help");
  }

  /** Runs the command; returns the exit code. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    // asked for as the command, or as the only argument after it (not a file that happens to be named "help")
    if ((args.length == 1 && isHelp(args[0])) || (args.length == 2 && "verify".equals(args[0]) && isHelp(args[1]))) {
      out.println(USAGE); // asked for: not an error
      return 0;
    }
    if (args.length == 0 || !"verify".equals(args[0])) {
      err.println(USAGE);
      return ERROR;
    }
    Path export = null;
    List<Path> keyFiles = new ArrayList<>();
    List<Path> witnesses = new ArrayList<>();
    boolean requireSignedHead = false;
    for (int i = 1; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--require-signed-head")) {
        requireSignedHead = true;
      } else if (a.equals("--public-key") || a.equals("--witness")) {
        if (i + 1 >= args.length || args[i + 1].isBlank()) {
          err.println("error: " + a + " needs a file\n" + USAGE);
          return ERROR;
        }
        (a.equals("--public-key") ? keyFiles : witnesses).add(Path.of(args[++i]));
      } else if (a.startsWith("--") || export != null) {
        err.println("error: unexpected argument " + a + "\n" + USAGE);
        return ERROR;
      } else {
        export = Path.of(a);
      }
    }
    if (export == null || keyFiles.isEmpty()) {
      err.println("error: " + (export == null ? "no export file given" : "no --public-key given") + "\n" + USAGE);
      return ERROR;
    }
    try {
      CheckpointKeys keys = CheckpointKeys.fromPemFiles(keyFiles);
      ChainExportReader reader = ChainExportReader.open(export);
      out.println("auditkit verify " + export + " (" + Files.size(export) + " bytes)");
      out.println("chain " + reader.chainId() + ", exported " + reader.exportedAt());
      keys.fingerprints().forEach(f -> out.println("trusted key " + f));
      List<Checkpoint> witnessed = new ArrayList<>();
      for (Path w : witnesses) {
        witnessed.addAll(FileCheckpointWitness.read(w, reader.chainId()));
      }
      witnessed.sort(Comparator.comparingLong(Checkpoint::sequence));
      if (!witnesses.isEmpty()) {
        out.println("witness checkpoints " + witnessed.size());
      }
      long started = System.nanoTime();
      long[] lastReport = {started - 1_000_000_000L};
      ChainVerifier verifier = ChainVerifier.builder(keys).requireSignedHead(requireSignedHead).progress(10_000, n -> {
        long now = System.nanoTime();
        if (now - lastReport[0] >= 1_000_000_000L) {
          lastReport[0] = now;
          err.printf("  ... %,d events verified (%,.0f/s)%n", n, n / ((now - started) / 1e9));
        }
      }).build();
      ChainVerification r = reader.verify(verifier, withWitness(reader.source(), witnessed));
      err.printf("  %,d events, %,d checkpoints in %.1f s%n", r.eventsChecked(), r.checkpointsChecked(),
          (System.nanoTime() - started) / 1e9);
      r.warnings().forEach(w -> out.println("warning: " + w));
      if (r.ok()) {
        out.println("VERDICT: OK - " + r.summary());
        return OK;
      }
      out.println("VERDICT: TAMPERED - " + r.summary());
      return TAMPERED;
    } catch (ChainExportException | UncheckedIOException | IllegalArgumentException e) {
      err.println("error: " + e.getMessage());
      out.println("VERDICT: CANNOT VERIFY - " + e.getMessage());
      return ERROR;
    } catch (java.io.IOException e) {
      err.println("error: " + e);
      return ERROR;
    }
  }

  /** The export's checkpoints merged in sequence order with witnessed ones; one that is both counts once. */
  private static ChainSource withWitness(ChainSource s, List<Checkpoint> witnessed) {
    if (witnessed.isEmpty()) {
      return s;
    }
    return new ChainSource() {
      @Override
      public String chainId() {
        return s.chainId();
      }

      @Override
      public Stream<AuditEvent> events() {
        return s.events();
      }

      @Override
      public Stream<Checkpoint> checkpoints() {
        Stream<Checkpoint> base = s.checkpoints();
        Iterator<Checkpoint> a = base.iterator();
        Iterator<Checkpoint> b = witnessed.iterator();
        Iterator<Checkpoint> merged = new Iterator<>() {
          Checkpoint x = a.hasNext() ? a.next() : null;
          Checkpoint y = b.hasNext() ? b.next() : null;

          @Override
          public boolean hasNext() {
            return x != null || y != null;
          }

          @Override
          public Checkpoint next() {
            if (!hasNext()) {
              throw new NoSuchElementException();
            }
            Checkpoint c;
            if (x != null && x.equals(y)) {
              y = b.hasNext() ? b.next() : null; // witnessed and exported alike: one checkpoint, counted once
            }
            if (y == null || (x != null && x.sequence() <= y.sequence())) {
              c = x;
              x = a.hasNext() ? a.next() : null;
            } else {
              c = y;
              y = b.hasNext() ? b.next() : null;
            }
            return c;
          }
        };
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(merged, 0), false).onClose(base::close);
      }
    };
  }
}

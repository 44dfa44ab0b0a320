package dev.auditkit.core.chain;

import java.nio.file.Path;
import java.time.Instant;

/** Child process for the kill -9 test: publishes checkpoints forever, reporting each one that returned. */
public final class WitnessWriterProcess {
  private WitnessWriterProcess() {}

  public static void main(String[] args) {
    CheckpointSigner signer = CheckpointSigner.fromPem(args[1], args[2]);
    FileCheckpointWitness w = new FileCheckpointWitness(Path.of(args[0]));
    for (long seq = 1; ; seq++) {
      w.publish(signer.sign(ChainHead.of("t:crash", seq, "ab".repeat(32)), Instant.EPOCH.plusSeconds(seq)));
      System.out.println("published " + seq);
      System.out.flush();
    }
  }
}

package dev.auditkit.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.auditkit.core.AuditEvent;
import dev.auditkit.core.chain.ChainExportReader;
import dev.auditkit.core.chain.ChainSource;
import dev.auditkit.core.chain.ChainVerification;
import dev.auditkit.core.chain.ChainVerifier;
import dev.auditkit.core.chain.Checkpoint;
import dev.auditkit.core.chain.CheckpointPolicy;
import dev.auditkit.testing.DatabaseTest;
import dev.auditkit.testing.TestDatabase;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sealing pass and its checkpoint that commit while a chain is being read (between the reads of
 * its checkpoints and its events) must not make an intact chain look TRUNCATED, in verify or in an
 * export. Found in review: both read the events first, so such a checkpoint named a position past
 * them. The race is made deterministic: the source seals more events right after its first stream
 * is opened.
 */
class ConcurrentCheckpointTest {
  @TempDir
  Path dir;

  @DatabaseTest
  void aCheckpointCommittedWhileTheChainIsRead_isNotTakenForTruncation(TestDatabase db) throws Exception {
    try (JdbcAuditStore store = JdbcAuditStore.builder(db.dataSource()).sealInterval(null)
        .checkpointPolicy(CheckpointPolicy.of(1, Duration.ofDays(1))).build()) {
      store.write(batch(5));
      store.sealNow();
      String chain = store.chainIds().get(0);

      ChainVerification v = ChainVerifier.builder(store.checkpointKeys()).build()
          .verify(sealingMoreOnFirstOpen(store, store.chain(chain)));
      assertThat(v.ok()).as(v.summary()).isTrue();

      ChainSource racing = sealingMoreOnFirstOpen(store, store.chain(chain));
      Path file = dir.resolve("export.jsonl");
      try (OutputStream out = Files.newOutputStream(file)) {
        dev.auditkit.core.chain.ChainExportWriter.export(racing, List.of(store.checkpointKeys().keys().values()
            .iterator().next()), java.time.Instant.now(), out);
      }
      ChainVerification exported = ChainExportReader.open(file).verify(ChainVerifier.builder(store.checkpointKeys()).build());
      assertThat(exported.ok()).as(exported.summary()).isTrue();
      assertThat(store.verify(chain).ok()).isTrue();
    }
  }

  private static List<AuditEvent> batch(int n) {
    List<AuditEvent> events = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      events.add(StoreFixtures.jobTransition("j-" + i).tenantId("org-race").build());
    }
    return events;
  }

  /** The chain as stored, but the first of its streams to be opened lets more events be written, sealed and checkpointed. */
  private static ChainSource sealingMoreOnFirstOpen(JdbcAuditStore store, ChainSource source) {
    return new ChainSource() {
      private boolean opened;

      private void raceOnce() {
        if (!opened) {
          opened = true;
          store.write(batch(3));
          store.sealNow();
        }
      }

      @Override
      public String chainId() {
        return source.chainId();
      }

      @Override
      public Stream<AuditEvent> events() {
        Stream<AuditEvent> s = source.events();
        raceOnce();
        return s;
      }

      @Override
      public Stream<Checkpoint> checkpoints() {
        Stream<Checkpoint> s = source.checkpoints();
        raceOnce();
        return s;
      }

      @Override
      public Optional<java.time.Instant> oldestUnsealed() {
        return source.oldestUnsealed();
      }
    };
  }
}

package dev.auditkit.core.chain;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.auditkit.core.chain.internal.CheckpointJson;
import dev.auditkit.core.internal.Json;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Appends each checkpoint as one JSON line to a file and forces it to disk (fsync) before
 * {@link #publish} returns. Put the file where the database's users cannot write. {@link #read}
 * gives the checkpoints back for {@link ChainVerifier}; a torn last line from a crash is ignored.
 */
public final class FileCheckpointWitness implements CheckpointWitness, Closeable {
  private final Path file;
  private final FileChannel channel;

  /**
   * Opens (creating if needed) {@code file} for appending.
   *
   * @throws UncheckedIOException if it cannot be opened
   */
  public FileCheckpointWitness(Path file) {
    this.file = Objects.requireNonNull(file, "file");
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      boolean created = !Files.exists(file);
      this.channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
          StandardOpenOption.APPEND);
      if (created && parent != null) {
        forceDirectory(parent);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open checkpoint witness file " + file + ": " + e.getMessage(), e);
    }
  }

  /** Makes a new file's directory entry durable too (Linux, macOS; a no-op where unsupported). */
  private static void forceDirectory(Path dir) {
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    } catch (IOException | UnsupportedOperationException e) {
      // Windows cannot open directories; the file itself is still forced on every publish
    }
  }

  @Override
  public synchronized void publish(Checkpoint checkpoint) {
    Objects.requireNonNull(checkpoint, "checkpoint");
    byte[] line = (Json.text(CheckpointJson.toJson(checkpoint)) + "\n").getBytes(StandardCharsets.UTF_8);
    try {
      ByteBuffer buf = ByteBuffer.wrap(line);
      while (buf.hasRemaining()) {
        channel.write(buf);
      }
      channel.force(true);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write checkpoint to " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * The checkpoints in a witness file, in file order, optionally only those of one chain.
   *
   * @param chainId a chain id, or null for all chains
   * @throws UncheckedIOException if the file cannot be read
   * @throws IllegalArgumentException naming the line of a malformed entry
   */
  public static List<Checkpoint> read(Path file, String chainId) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read checkpoint witness file " + file + ": " + e.getMessage(), e);
    }
    List<Checkpoint> out = new ArrayList<>();
    String[] lines = text.split("\n", -1);
    // the last element is "" after a final newline, or a line torn by a crash during append
    for (int i = 0; i < lines.length - 1; i++) {
      if (lines[i].isBlank()) {
        continue;
      }
      Checkpoint c;
      try {
        c = CheckpointJson.fromJson(Json.MAPPER.readTree(lines[i]));
      } catch (JsonProcessingException | IllegalArgumentException e) {
        throw new IllegalArgumentException(file + " line " + (i + 1) + ": " + e.getMessage(), e);
      }
      if (chainId == null || chainId.equals(c.chainId())) {
        out.add(c);
      }
    }
    return out;
  }

  @Override
  public synchronized void close() {
    try {
      channel.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public String toString() {
    return "FileCheckpointWitness{" + file + "}";
  }
}

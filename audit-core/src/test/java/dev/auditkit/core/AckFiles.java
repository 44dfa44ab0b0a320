package dev.auditkit.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/** The acknowledgement files child writer processes append to: one event id and a newline per line. */
final class AckFiles {
  private AckFiles() {}

  /** About how many ids {@code f} holds (37 bytes a line), 0 before it exists. */
  static long count(Path f) {
    try {
      return Files.exists(f) ? Files.size(f) / 37 : 0;
    } catch (IOException e) {
      return 0;
    }
  }

  /** The acknowledged ids; a line cut by the process ending is not a complete acknowledgement. */
  static Set<UUID> read(Path f) throws IOException {
    Set<UUID> ids = new HashSet<>();
    List<String> lines = List.of(Files.readString(f).split("\n", -1));
    for (int i = 0; i < lines.size() - 1; i++) {
      ids.add(UUID.fromString(lines.get(i)));
    }
    return ids;
  }
}

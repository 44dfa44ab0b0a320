package dev.auditkit.core.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.Writer;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Compact JSON text of trees through reused generators: a store's writer serialises five JSON
 * columns per event, and {@code writeValueAsString} would set up a generator, a buffer and a
 * serializer provider for each (about half of its cost for these small values). The output is
 * what {@link Json#MAPPER} writes for the same tree.
 *
 * <p>The generators wait in a few slots, taken and put back by the thread that uses one, not in a
 * ThreadLocal: the caller may be a host's pool thread (a store's {@code append} in the host's
 * transaction, the SLF4J sink), which must not keep a generator, its buffers and so this class
 * loader after the host redeploys; a virtual thread would never reuse one. A call that finds its
 * slot empty (another thread holds it, or a tree is serialised while another is written) makes a
 * generator of its own.
 */
final class TreeText {
  /** Buffers that grew past this are not kept for the next value. */
  private static final int KEEP_CHARS = 64 * 1024;
  private static final int SLOTS = 8; // a power of two
  private static final AtomicReferenceArray<TreeText> FREE = new AtomicReferenceArray<>(SLOTS);

  private final Target out = new Target();
  private final JsonGenerator gen;

  private TreeText() throws IOException {
    gen = Json.MAPPER.createGenerator(out);
    gen.setRootValueSeparator(null); // values follow each other with nothing in between
  }

  @SuppressWarnings("deprecation") // Thread.threadId() arrives in Java 19; getId() is the same number
  static String of(JsonNode node) throws IOException {
    if (node == null) {
      return "null";
    }
    int slot = (int) Thread.currentThread().getId() & (SLOTS - 1);
    TreeText t = FREE.getAndSet(slot, null);
    if (t == null) {
      t = new TreeText();
    }
    String s = t.text(node); // a generator that failed mid-value is not put back
    FREE.compareAndSet(slot, null, t);
    return s;
  }

  /** How many generators wait in the slots (for tests). */
  static int pooled() {
    int n = 0;
    for (int i = 0; i < SLOTS; i++) {
      n += FREE.get(i) == null ? 0 : 1;
    }
    return n;
  }

  /** Empties the slots (for tests). */
  static void clearPool() {
    for (int i = 0; i < SLOTS; i++) {
      FREE.set(i, null);
    }
  }

  private String text(JsonNode node) throws IOException {
    EventJson.node(gen, node);
    gen.flush();
    String s = out.sb.toString();
    out.reset();
    return s;
  }

  /** The generator's output, a StringBuilder taken and cleared after each value. */
  private static final class Target extends Writer {
    StringBuilder sb = new StringBuilder(1024);

    void reset() {
      if (sb.capacity() > KEEP_CHARS) {
        sb = new StringBuilder(1024);
      } else {
        sb.setLength(0);
      }
    }

    @Override
    public void write(char[] cbuf, int off, int len) {
      sb.append(cbuf, off, len);
    }

    @Override
    public void write(String str, int off, int len) {
      sb.append(str, off, off + len);
    }

    @Override
    public void write(int c) {
      sb.append((char) c);
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  }
}

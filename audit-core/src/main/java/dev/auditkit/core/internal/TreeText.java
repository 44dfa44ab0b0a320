package dev.auditkit.core.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.Writer;

/**
 * Compact JSON text of trees through reused generators: a store's writer serialises five JSON
 * columns per event, and {@code writeValueAsString} would set up a generator, a buffer and a
 * serializer provider for each (about half of its cost for these small values). The output is
 * what {@link Json#MAPPER} writes for the same tree. The generators are {@link Reusables}: a tree
 * written while another is being written (a POJO node's serializer) takes a generator of its own.
 */
final class TreeText {
  /** Buffers that grew past this are not kept for the next value. */
  private static final int KEEP_CHARS = 64 * 1024;
  static final Reusables<TreeText> POOL = new Reusables<>();

  private final Target out = new Target();
  private final JsonGenerator gen;

  private TreeText() throws IOException {
    gen = Json.MAPPER.createGenerator(out);
    gen.setRootValueSeparator(null); // values follow each other with nothing in between
  }

  static String of(JsonNode node) throws IOException {
    if (node == null) {
      return "null";
    }
    TreeText t = POOL.take();
    if (t == null) {
      t = new TreeText();
    }
    String s = t.text(node); // a generator that failed mid-value is not put back
    POOL.give(t);
    return s;
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

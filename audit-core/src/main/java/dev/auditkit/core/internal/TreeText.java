package dev.auditkit.core.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.Writer;

/**
 * Compact JSON text of trees through one generator per thread, reused from value to value: a
 * store's writer serialises five JSON columns per event, and {@code writeValueAsString} would set
 * up a generator, a buffer and a serializer provider for each (about half of its cost for these
 * small values). The output is what {@link Json#MAPPER} writes for the same tree.
 */
final class TreeText {
  /** Buffers that grew past this are not kept for the next value. */
  private static final int KEEP_CHARS = 64 * 1024;
  private static final ThreadLocal<TreeText> CURRENT = new ThreadLocal<>();

  private final Target out = new Target();
  private final JsonGenerator gen;
  private boolean busy;

  private TreeText() throws IOException {
    gen = Json.MAPPER.createGenerator(out);
    gen.setRootValueSeparator(null); // values follow each other with nothing in between
  }

  static String of(JsonNode node) throws IOException {
    if (node == null) {
      return "null";
    }
    TreeText t = CURRENT.get();
    if (t == null) {
      t = new TreeText();
      CURRENT.set(t);
    } else if (t.busy) {
      // called again while a value is written (a POJO node whose serializer serialises a tree)
      return Json.MAPPER.writeValueAsString(node);
    }
    t.busy = true;
    try {
      return t.text(node);
    } catch (IOException | RuntimeException | Error e) {
      CURRENT.remove(); // a generator stopped mid-value is not reused
      throw e;
    } finally {
      t.busy = false;
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

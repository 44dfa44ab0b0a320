package dev.auditkit.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.auditkit.testing.TestDatabase;
import dev.auditkit.testing.TestDialect;
import java.io.StringReader;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;

/**
 * COPY text escaping of column values: with a tab delimiter only backslash, newline, carriage
 * return and tab need escaping; everything else, {@code \N} and {@code \.} included once their
 * backslash is doubled, is data. Checked against the rule written out per character, and by
 * PostgreSQL itself reading the values back.
 */
class PgWriterEscapeTest {
  private static final List<String> AWKWARD = List.of("", "plain", "\\", "trailing\\", "\\leading", "\\N", "\\.",
      "a\tb", "\t", "\n\r\t\\", "\r\n", "\\\\", "x\\ny", "\u00e9t\u00e9 \u20ac \ud83d\ude00", "\\\t\n",
      "end\n", "two\t\ttabs", "\u0001\u001f\u007f", "quote\"s and 'single'", "semi;colon,comma|bar");

  private static String reference(String v) {
    StringBuilder sb = new StringBuilder();
    for (char ch : v.toCharArray()) {
      switch (ch) {
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> sb.append(ch);
      }
    }
    return sb.toString();
  }

  private static String escaped(String v) {
    StringBuilder sb = new StringBuilder("prefix|");
    PgWriter.escape(v, sb);
    assertThat(sb).startsWith("prefix|"); // appends, never rewrites what is there
    return sb.substring("prefix|".length());
  }

  private static List<String> randomValues() {
    SplittableRandom r = new SplittableRandom(3);
    char[] alphabet = {'a', 'Z', '0', ' ', '\\', '\n', '\r', '\t', 'N', '.', '\u00e9', '\u20ac', '\ud83d', '\ude00'};
    List<String> out = new ArrayList<>();
    for (int i = 0; i < 5_000; i++) {
      StringBuilder sb = new StringBuilder();
      int n = r.nextInt(40);
      for (int k = 0; k < n; k++) {
        sb.append(alphabet[r.nextInt(alphabet.length)]);
      }
      out.add(sb.toString());
    }
    return out;
  }

  @Test
  void escapesAsTheRuleSays() {
    for (String v : AWKWARD) {
      assertThat(escaped(v)).as("%s", v).isEqualTo(reference(v));
    }
    for (String v : randomValues()) {
      assertThat(escaped(v)).as("%s", v).isEqualTo(reference(v));
    }
  }

  @Test
  void postgresqlReadsBackEveryValueAsItWas() throws Exception {
    List<String> values = new ArrayList<>(AWKWARD);
    values.addAll(randomValues().subList(0, 500));
    // a lone surrogate is no UTF-8 (the event model never stores one); the random ones may hold one
    values.removeIf(v -> v.codePoints().anyMatch(cp -> cp >= 0xD800 && cp <= 0xDFFF));
    try (TestDatabase db = TestDatabase.open(TestDialect.POSTGRESQL); Connection c = db.connection();
        Statement s = c.createStatement()) {
      s.execute("create temporary table esc (i int, v text)");
      StringBuilder copy = new StringBuilder();
      for (int i = 0; i < values.size(); i++) {
        copy.append(i).append('\t');
        PgWriter.escape(values.get(i), copy);
        copy.append('\n');
      }
      long rows = c.unwrap(PGConnection.class).getCopyAPI()
          .copyIn("copy esc (i, v) from stdin", new StringReader(copy.toString()));
      assertThat(rows).isEqualTo(values.size());
      try (ResultSet rs = s.executeQuery("select i, v from esc order by i")) {
        int n = 0;
        while (rs.next()) {
          assertThat(rs.getString(2)).as("value %d", rs.getInt(1)).isEqualTo(values.get(rs.getInt(1)));
          n++;
        }
        assertThat(n).isEqualTo(values.size());
      }
    }
  }
}

package dev.auditkit.jdbc.internal;

import dev.auditkit.core.internal.Json;
import dev.auditkit.jdbc.AuditStoreSetupException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One versioned SQL file, {@code db/<dialect>/V<version>__<description>.sql}. */
public record Migration(int version, String description, String resource, String sql, String checksum) {
  /** Every migration this version of auditkit knows, oldest first. */
  private static final List<String> KNOWN = List.of("V1__audit_event.sql", "V2__hash_chain.sql", "V3__event_hash.sql",
      "V4__chain_high_xid.sql");
  private static final Pattern FILE = Pattern.compile("V(\\d+)__(\\w+)\\.sql");
  private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{(\\w+)}");

  public static List<Migration> all(Dialect dialect) {
    return KNOWN.stream().map(f -> load(dialect, f)).toList();
  }

  /** The newest version this auditkit knows. */
  public static int latestVersion() {
    return KNOWN.size();
  }

  private static Migration load(Dialect dialect, String file) {
    Matcher m = FILE.matcher(file);
    if (!m.matches()) {
      throw new IllegalStateException("bad migration name " + file);
    }
    String resource = "db/" + dialect.resourceDir() + "/" + file;
    try (InputStream in = Migration.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new AuditStoreSetupException("migration " + resource + " is missing from the classpath");
      }
      byte[] bytes = in.readAllBytes();
      return new Migration(Integer.parseInt(m.group(1)), m.group(2), resource,
          new String(bytes, StandardCharsets.UTF_8), Json.sha256Hex(bytes));
    } catch (IOException e) {
      throw new AuditStoreSetupException("cannot read migration " + resource, e);
    }
  }

  /** The SQL with every {@code ${name}} replaced; an unknown placeholder is an error. */
  public String sql(Map<String, String> placeholders) {
    Matcher m = PLACEHOLDER.matcher(sql);
    StringBuilder out = new StringBuilder(sql.length());
    while (m.find()) {
      String v = placeholders.get(m.group(1));
      if (v == null) {
        throw new AuditStoreSetupException(resource + " uses unknown placeholder ${" + m.group(1) + "}");
      }
      m.appendReplacement(out, Matcher.quoteReplacement(v));
    }
    m.appendTail(out);
    return out.toString();
  }
}

package dev.auditkit.jdbc.internal;

import dev.auditkit.jdbc.AuditStoreSetupException;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The store's validated schema and table prefix, and the qualified names built from them. Names
 * are plain unquoted SQL identifiers, so they fold to the database's case like the host's own.
 */
public final class Names {
  private static final Pattern SCHEMA = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
  private static final Pattern PREFIX = Pattern.compile("[a-z_][a-z0-9_]{0,29}");

  private final String schema;
  private final String prefix;

  private Names(String schema, String prefix) {
    this.schema = schema;
    this.prefix = prefix;
  }

  /**
   * @throws AuditStoreSetupException when a name is not a plain identifier
   */
  public static Names of(String schema, String prefix) {
    return new Names(check("schema", schema, SCHEMA), check("tablePrefix", prefix, PREFIX));
  }

  /** Checks a name given to the builder; null stays null (meaning: the connection's schema). */
  public static String checkSchema(String schema) {
    return schema == null ? null : check("schema", schema, SCHEMA);
  }

  public static String checkPrefix(String prefix) {
    return check("tablePrefix", prefix, PREFIX);
  }

  private static String check(String what, String name, Pattern p) {
    if (name == null) {
      throw new AuditStoreSetupException(what + " must not be null");
    }
    String lower = name.toLowerCase(Locale.ROOT);
    if (!p.matcher(lower).matches()) {
      throw new AuditStoreSetupException(what + " must be a plain SQL identifier (" + p.pattern() + ", case-insensitive), got \""
          + name.replaceAll("\\p{Cntrl}", "?") + "\"");
    }
    return lower;
  }

  public String schema() {
    return schema;
  }

  public String prefix() {
    return prefix;
  }

  /** {@code schema.prefix_event}. */
  public String eventTable() {
    return schema + "." + prefix + "event";
  }

  /** {@code schema.prefix_seal}: one seal per sealed event. */
  public String sealTable() {
    return schema + "." + prefix + "seal";
  }

  /** {@code schema.prefix_checkpoint}: signed checkpoints. */
  public String checkpointTable() {
    return schema + "." + prefix + "checkpoint";
  }

  /** {@code schema.prefix_chain}: the sealers' per-chain state. */
  public String chainTable() {
    return schema + "." + prefix + "chain";
  }

  /** {@code schema.prefix_seal_lock} (H2): the row sealers serialise on. */
  public String sealLockTable() {
    return schema + "." + prefix + "seal_lock";
  }

  /** {@code schema.prefix_schema_version}. */
  public String versionTable() {
    return schema + "." + prefix + "schema_version";
  }

  /** {@code schema.prefix_ensure_partition} (PostgreSQL). */
  public String ensurePartitionFunction() {
    return schema + "." + prefix + "ensure_partition";
  }

  /** The values for the {@code ${audit_schema}} and {@code ${audit_prefix}} placeholders. */
  public Map<String, String> placeholders() {
    return Map.of("audit_schema", schema, "audit_prefix", prefix);
  }
}

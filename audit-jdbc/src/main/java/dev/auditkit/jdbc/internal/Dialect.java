package dev.auditkit.jdbc.internal;

import dev.auditkit.jdbc.AuditStoreSetupException;
import java.sql.Connection;
import java.sql.SQLException;

/** The databases the store supports, told apart by the JDBC driver's product name. */
public enum Dialect {
  POSTGRESQL("postgresql"),
  H2("h2");

  private final String resourceDir;

  Dialect(String resourceDir) {
    this.resourceDir = resourceDir;
  }

  /** Directory under {@code db/} holding this dialect's migrations. */
  public String resourceDir() {
    return resourceDir;
  }

  /** The oldest PostgreSQL the store runs on: sealing takes {@code min} and {@code max} of {@code xid8}. */
  public static final int POSTGRESQL_MIN_MAJOR = 14;

  public static Dialect of(Connection c) throws SQLException {
    String product = c.getMetaData().getDatabaseProductName();
    if ("PostgreSQL".equalsIgnoreCase(product)) {
      requireSupported(c.getMetaData().getDatabaseMajorVersion(), c.getMetaData().getDatabaseProductVersion());
      return POSTGRESQL;
    }
    if ("H2".equalsIgnoreCase(product)) {
      return H2;
    }
    throw new AuditStoreSetupException("auditkit's JDBC store supports PostgreSQL and H2, not \"" + product
        + "\" (" + c.getMetaData().getURL() + ")");
  }

  /** Refuses a PostgreSQL older than {@link #POSTGRESQL_MIN_MAJOR} at build, not at the first sealing pass. */
  static void requireSupported(int major, String version) {
    if (major < POSTGRESQL_MIN_MAJOR) {
      throw new AuditStoreSetupException("auditkit's JDBC store needs PostgreSQL " + POSTGRESQL_MIN_MAJOR
          + " or later, this server is " + version + " (sealing takes min() and max() of xid8 transaction ids,"
          + " which PostgreSQL has since version 14)");
    }
  }
}

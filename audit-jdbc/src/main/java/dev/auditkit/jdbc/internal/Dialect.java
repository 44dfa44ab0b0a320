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

  public static Dialect of(Connection c) throws SQLException {
    String product = c.getMetaData().getDatabaseProductName();
    if ("PostgreSQL".equalsIgnoreCase(product)) {
      return POSTGRESQL;
    }
    if ("H2".equalsIgnoreCase(product)) {
      return H2;
    }
    throw new AuditStoreSetupException("auditkit's JDBC store supports PostgreSQL and H2, not \"" + product
        + "\" (" + c.getMetaData().getURL() + ")");
  }
}

package dev.auditkit.jdbc;

import dev.auditkit.testing.TestDialect;

/** The JDBC store on PostgreSQL passes the store contract. */
class PostgresStoreCompatibilityTest extends JdbcStoreCompatibility {
  PostgresStoreCompatibilityTest() {
    super(TestDialect.POSTGRESQL);
  }
}

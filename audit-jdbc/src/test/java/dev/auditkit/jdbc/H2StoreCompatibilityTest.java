package dev.auditkit.jdbc;

import dev.auditkit.testing.TestDialect;

/** The JDBC store on H2 passes the store contract. */
class H2StoreCompatibilityTest extends JdbcStoreCompatibility {
  H2StoreCompatibilityTest() {
    super(TestDialect.H2);
  }
}

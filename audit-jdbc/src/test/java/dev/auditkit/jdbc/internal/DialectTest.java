package dev.auditkit.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.auditkit.jdbc.AuditStoreSetupException;
import dev.auditkit.testing.DatabaseTest;
import dev.auditkit.testing.TestDatabase;
import dev.auditkit.testing.TestDialect;
import java.sql.Connection;
import org.junit.jupiter.api.Test;

/** The store tells its databases apart and refuses a PostgreSQL its sealer cannot run on, at build. */
class DialectTest {

  @DatabaseTest
  void theDatabasesHereAreRecognised(TestDatabase db) throws Exception {
    try (Connection c = db.connection()) {
      assertThat(Dialect.of(c)).isEqualTo(db.dialect() == TestDialect.POSTGRESQL ? Dialect.POSTGRESQL : Dialect.H2);
    }
  }

  @Test
  void postgresqlOlderThan14_isRefusedNamingTheVersions() {
    assertThatThrownBy(() -> Dialect.requireSupported(13, "13.14 (Debian 13.14-1)"))
        .isInstanceOf(AuditStoreSetupException.class)
        .hasMessageContaining("PostgreSQL 14 or later").hasMessageContaining("13.14");
    assertThatThrownBy(() -> Dialect.requireSupported(9, "9.6.24")).isInstanceOf(AuditStoreSetupException.class);
    assertThatCode(() -> Dialect.requireSupported(14, "14.0")).doesNotThrowAnyException();
    assertThatCode(() -> Dialect.requireSupported(17, "17.2")).doesNotThrowAnyException();
  }
}

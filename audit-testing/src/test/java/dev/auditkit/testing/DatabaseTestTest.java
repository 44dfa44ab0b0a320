package dev.auditkit.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.auditkit.testing.internal.H2Databases;
import dev.auditkit.testing.internal.PostgresSchemas;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;

class DatabaseTestTest {
  private static final Set<String> PG_SCHEMAS = ConcurrentHashMap.newKeySet();
  private static final Set<String> H2_URLS = ConcurrentHashMap.newKeySet();
  private static final Set<TestDialect> SEEN = ConcurrentHashMap.newKeySet();

  @DatabaseTest
  void runsAQueryOnEachDialect(TestDatabase db) throws SQLException {
    SEEN.add(db.dialect());
    try (Connection c = db.connection(); Statement s = c.createStatement()) {
      s.execute("create table probe (id int primary key, name varchar(20))");
      s.execute("insert into probe values (1, 'one'), (2, 'two')");
      try (ResultSet rs = s.executeQuery("select count(*), max(name) from probe")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getInt(1)).isEqualTo(2);
        assertThat(rs.getString(2)).isEqualTo("two");
      }
      String product = c.getMetaData().getDatabaseProductName();
      assertThat(product).isEqualTo(db.dialect() == TestDialect.POSTGRESQL ? "PostgreSQL" : "H2");
    }
    record(db);
  }

  @DatabaseTest
  void eachTestGetsAFreshSchema(TestDatabase db) throws SQLException {
    // the table made by the other test (or the other run of this one) is not visible here
    try (Connection c = db.connection(); Statement s = c.createStatement()) {
      s.execute("create table probe (id int primary key)");
      if (db.dialect() == TestDialect.POSTGRESQL) {
        try (ResultSet rs = s.executeQuery("select current_schema()")) {
          rs.next();
          assertThat(rs.getString(1)).isEqualTo(db.schema()).startsWith("t_");
        }
      }
    }
    try (Connection c = DriverManager.getConnection(db.jdbcUrl()); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("select count(*) from probe")) {
      rs.next();
      assertThat(rs.getInt(1)).as("jdbcUrl reaches the same schema").isZero();
    }
    record(db);
  }

  @DatabaseTest(TestDialect.H2)
  void runsOnlyTheNamedDialects(TestDatabase db) {
    assertThat(db.dialect()).isEqualTo(TestDialect.H2);
  }

  @Test
  void unreachablePostgres_skipsOnALaptop() {
    assertThatThrownBy(() -> PostgresSchemas.createFresh("jdbc:postgresql://127.0.0.1:1/none?user=x&password=s3cret&connectTimeout=2", null))
        .isInstanceOf(TestAbortedException.class)
        .hasMessageContaining("127.0.0.1:1")
        .hasMessageContaining("password=***")
        .hasMessageNotContaining("s3cret");
  }

  @Test
  void unreachablePostgres_failsWhenCiIsTrue() {
    assertThatThrownBy(() -> PostgresSchemas.createFresh("jdbc:postgresql://127.0.0.1:1/none?user=x&connectTimeout=2", "true"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("CI=true");
  }

  @Test
  void h2Database_isGoneAfterClose() throws Exception {
    H2Databases.Fresh f = H2Databases.createFresh();
    try (Connection c = f.dataSource().getConnection(); Statement s = c.createStatement()) {
      s.execute("create table probe (id int)");
    }
    f.close();
    assertThatThrownBy(() -> DriverManager.getConnection(f.jdbcUrl() + ";IFEXISTS=TRUE").close())
        .isInstanceOf(SQLException.class);
  }

  private static void record(TestDatabase db) {
    if (db.dialect() == TestDialect.POSTGRESQL) {
      PG_SCHEMAS.add(db.schema());
    } else {
      H2_URLS.add(db.jdbcUrl());
    }
  }

  @AfterAll
  static void everyDatabaseWasDroppedAfterItsTest() throws SQLException {
    assertThat(SEEN).as("ran on").contains(TestDialect.H2);
    for (String url : H2_URLS) {
      assertThatThrownBy(() -> DriverManager.getConnection(url + ";IFEXISTS=TRUE").close())
          .as("H2 database %s still exists", url).isInstanceOf(SQLException.class);
    }
    if (PG_SCHEMAS.isEmpty()) {
      return;
    }
    try (Connection c = DriverManager.getConnection(PostgresSchemas.configuredUrl());
        PreparedStatement ps = c.prepareStatement("select count(*) from pg_namespace where nspname = any (?)")) {
      ps.setArray(1, c.createArrayOf("text", List.copyOf(PG_SCHEMAS).toArray()));
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        assertThat(rs.getInt(1)).as("PostgreSQL schemas left behind").isZero();
      }
    }
  }
}

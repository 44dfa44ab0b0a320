package dev.auditkit.testing;

import dev.auditkit.testing.internal.H2Databases;
import dev.auditkit.testing.internal.PostgresSchemas;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * A database that exists for one test: a fresh PostgreSQL schema (the connection's
 * {@code currentSchema}) or a fresh in-memory H2 database. {@link #close()} drops it. Get one from
 * {@link DatabaseTest} as a test parameter, or {@link #open(TestDialect)} it yourself.
 */
public final class TestDatabase implements AutoCloseable {
  /** The PostgreSQL used when {@code AUDITKIT_PG_URL} is not set. */
  public static final String DEFAULT_PG_URL = "jdbc:postgresql://127.0.0.1:5432/auditkit_test?user=postgres";

  private final TestDialect dialect;
  private final DataSource dataSource;
  private final String jdbcUrl;
  private final String schema;
  private final AutoCloseable dropper;

  private TestDatabase(TestDialect dialect, DataSource dataSource, String jdbcUrl, String schema, AutoCloseable dropper) {
    this.dialect = dialect;
    this.dataSource = dataSource;
    this.jdbcUrl = jdbcUrl;
    this.schema = schema;
    this.dropper = dropper;
  }

  /**
   * Creates a fresh database of this dialect. For PostgreSQL this aborts the calling test (a skip)
   * when the server does not answer, or throws {@link IllegalStateException} when {@code CI=true}.
   */
  public static TestDatabase open(TestDialect dialect) {
    switch (dialect) {
      case POSTGRESQL: {
        PostgresSchemas.Fresh f = PostgresSchemas.createFresh(PostgresSchemas.configuredUrl(), System.getenv("CI"));
        return new TestDatabase(dialect, f.dataSource(), f.jdbcUrl(), f.schema(), f);
      }
      case H2: {
        H2Databases.Fresh f = H2Databases.createFresh();
        return new TestDatabase(dialect, f.dataSource(), f.jdbcUrl(), "PUBLIC", f);
      }
      default:
        throw new IllegalArgumentException("unknown dialect " + dialect);
    }
  }

  public TestDialect dialect() {
    return dialect;
  }

  /** A non-pooling DataSource; every {@code getConnection()} opens a new connection. */
  public DataSource dataSource() {
    return dataSource;
  }

  /** A JDBC URL reaching the same fresh schema or database, for code that builds its own pool. */
  public String jdbcUrl() {
    return jdbcUrl;
  }

  /** The schema new tables land in: the fresh PostgreSQL schema, or {@code PUBLIC} on H2. */
  public String schema() {
    return schema;
  }

  /** A new connection; the caller closes it. */
  public Connection connection() throws SQLException {
    return dataSource.getConnection();
  }

  /** Drops the schema or database; connections a test left open are ended first. */
  @Override
  public void close() throws Exception {
    dropper.close();
  }

  @Override
  public String toString() {
    return "TestDatabase[" + dialect.displayName() + " " + schema + "]";
  }
}

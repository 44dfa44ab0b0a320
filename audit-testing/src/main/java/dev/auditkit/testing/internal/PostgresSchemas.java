package dev.auditkit.testing.internal;

import dev.auditkit.testing.TestDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.junit.jupiter.api.Assumptions;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Fresh PostgreSQL schemas on the server named by {@code AUDITKIT_PG_URL}: created with a random
 * name, reached through {@code currentSchema}, dropped (with whatever a test left in them) after.
 */
public final class PostgresSchemas {
  /** Environment variable holding the JDBC URL of the test PostgreSQL. */
  public static final String URL_ENV = "AUDITKIT_PG_URL";

  private static final Pattern SECRET = Pattern.compile("(?i)(password=)[^&]*");

  private PostgresSchemas() {}

  /** One fresh schema; {@link #close()} ends leftover connections and drops it. */
  public record Fresh(String baseUrl, String schema, String jdbcUrl, DataSource dataSource) implements AutoCloseable {
    @Override
    public void close() throws SQLException {
      // a store the test left open may still run background work (sealing) and take locks while
      // the schema is dropped: end its sessions, and try again if PostgreSQL picks the drop as
      // the victim of a deadlock with such a session
      for (int attempt = 1; ; attempt++) {
        try (Connection c = DriverManager.getConnection(baseUrl)) {
          try (PreparedStatement ps = c.prepareStatement(
              "select pg_terminate_backend(pid) from pg_stat_activity where application_name = ? and pid <> pg_backend_pid()")) {
            ps.setString(1, applicationName(schema));
            ps.executeQuery().close();
          }
          try (Statement s = c.createStatement()) {
            s.execute("drop schema if exists " + schema + " cascade");
          }
          return;
        } catch (SQLException e) {
          if (!"40P01".equals(e.getSQLState()) || attempt == 5) {
            throw e;
          }
        }
      }
    }
  }

  /** {@code AUDITKIT_PG_URL}, or {@link TestDatabase#DEFAULT_PG_URL}. */
  public static String configuredUrl() {
    String env = System.getenv(URL_ENV);
    return env == null || env.isBlank() ? TestDatabase.DEFAULT_PG_URL : env.trim();
  }

  /**
   * Creates a fresh schema. When the server cannot be reached: aborts the current test (JUnit
   * reports it skipped), or — when {@code ciEnv} is {@code true} — throws, so CI never passes
   * without PostgreSQL.
   */
  public static Fresh createFresh(String baseUrl, String ciEnv) {
    String schema = "t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16).toLowerCase(Locale.ROOT);
    try (Connection c = DriverManager.getConnection(baseUrl); Statement s = c.createStatement()) {
      s.execute("create schema " + schema);
    } catch (SQLException e) {
      unreachable(baseUrl, ciEnv, e);
    }
    String url = baseUrl + (baseUrl.indexOf('?') >= 0 ? "&" : "?")
        + "currentSchema=" + schema + "&ApplicationName=" + applicationName(schema);
    PGSimpleDataSource ds = new PGSimpleDataSource();
    ds.setURL(url);
    return new Fresh(baseUrl, schema, url, ds);
  }

  private static void unreachable(String url, String ciEnv, SQLException e) {
    String msg = "PostgreSQL at " + masked(url) + " is not usable (" + e.getMessage() + "). Start it, create the "
        + "database, or point " + URL_ENV + " at one.";
    if ("true".equalsIgnoreCase(ciEnv == null ? null : ciEnv.trim())) {
      throw new IllegalStateException(msg + " CI=true, so this fails instead of skipping.", e);
    }
    Assumptions.abort(msg + " Skipped (set CI=true to make this a failure).");
  }

  /** The URL with any password replaced by {@code ***}. */
  public static String masked(String url) {
    return SECRET.matcher(url).replaceAll("$1***");
  }

  private static String applicationName(String schema) {
    return "auditkit-test-" + schema;
  }
}

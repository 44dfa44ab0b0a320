package dev.auditkit.jdbc.internal;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.auditkit.jdbc.AuditStoreSetupException;
import javax.sql.DataSource;

/** A HikariCP pool the store builds from a JDBC URL and closes with itself. */
public final class OwnedPool {
  private OwnedPool() {}

  public static DataSource open(String jdbcUrl) {
    if (jdbcUrl == null || jdbcUrl.isBlank() || !jdbcUrl.startsWith("jdbc:")) {
      throw new AuditStoreSetupException("jdbcUrl must be a JDBC URL starting with \"jdbc:\", got "
          + (jdbcUrl == null ? "null" : "\"" + jdbcUrl.replaceAll("(?i)password=[^&;]*", "password=***") + "\""));
    }
    try {
      HikariConfig config = new HikariConfig();
      config.setJdbcUrl(jdbcUrl);
      config.setPoolName("auditkit");
      config.setMaximumPoolSize(4);
      config.setMinimumIdle(1);
      return new HikariDataSource(config);
    } catch (NoClassDefFoundError e) {
      throw new AuditStoreSetupException("JdbcAuditStore.create(jdbcUrl) needs HikariCP on the classpath "
          + "(com.zaxxer:HikariCP); or pass your own DataSource to JdbcAuditStore.create(dataSource)", e);
    } catch (RuntimeException e) {
      throw new AuditStoreSetupException("cannot open a connection pool for "
          + jdbcUrl.replaceAll("(?i)password=[^&;]*", "password=***") + ": " + e.getMessage(), e);
    }
  }

  /**
   * Whether one user of this DataSource can hold two connections at once without starving the
   * others: false for a HikariCP pool of fewer than three; true for anything else (a pool the store
   * cannot inspect, or no pool).
   */
  public static boolean lendsTwo(DataSource ds) {
    try {
      if (ds instanceof HikariDataSource h) {
        return h.getMaximumPoolSize() >= 3;
      }
    } catch (NoClassDefFoundError e) {
      // HikariCP is not on the classpath, so this is not one of its pools
    }
    return true;
  }

  public static void close(DataSource ds) {
    if (ds instanceof AutoCloseable c) {
      try {
        c.close();
      } catch (Exception e) {
        throw new IllegalStateException("closing the auditkit pool failed", e);
      }
    }
  }
}

package dev.auditkit.jdbc.internal;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.auditkit.jdbc.AuditStoreSetupException;
import java.sql.SQLException;
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
   * Whether one user of this DataSource can hold two connections at once without risking a wait on
   * a pool it would starve: true for a HikariCP pool of at least three (its wait is bounded by its
   * connection timeout) and for pgjdbc's non-pooling {@code PGSimpleDataSource}, also behind a
   * wrapper that unwraps to them; false for anything else, whose size and wait the store cannot see.
   */
  public static boolean lendsTwo(DataSource ds) {
    try {
      if (ds.isWrapperFor(org.postgresql.ds.PGSimpleDataSource.class)) {
        return true;
      }
    } catch (SQLException | RuntimeException | NoClassDefFoundError e) {
      // not pgjdbc's, or pgjdbc is not on the classpath
    }
    try {
      if (ds.isWrapperFor(HikariDataSource.class)) {
        return ds.unwrap(HikariDataSource.class).getMaximumPoolSize() >= 3;
      }
    } catch (SQLException | RuntimeException | NoClassDefFoundError e) {
      // not a HikariCP pool, or HikariCP is not on the classpath
    }
    return false;
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

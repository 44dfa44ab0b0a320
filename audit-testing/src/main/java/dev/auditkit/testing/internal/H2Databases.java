package dev.auditkit.testing.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;

/** Fresh in-memory H2 databases with unique names, kept alive until shut down. */
public final class H2Databases {
  private H2Databases() {}

  /** One fresh database; {@link #close()} shuts it down, which discards it. */
  public record Fresh(String name, String jdbcUrl, DataSource dataSource) implements AutoCloseable {
    @Override
    public void close() throws SQLException {
      try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
        s.execute("SHUTDOWN");
      }
    }
  }

  public static Fresh createFresh() {
    String name = "auditkit_" + UUID.randomUUID().toString().replace("-", "");
    String url = "jdbc:h2:mem:" + name + ";DB_CLOSE_DELAY=-1";
    JdbcDataSource ds = new JdbcDataSource();
    ds.setURL(url);
    ds.setUser("sa");
    ds.setPassword("");
    // the URL handed out carries the user, so it works on its own (DriverManager, a pool)
    url = url + ";USER=sa;PASSWORD=";
    return new Fresh(name, url, ds);
  }
}

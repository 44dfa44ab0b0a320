package dev.auditkit.jdbc.internal;

import dev.auditkit.jdbc.AuditStoreSetupException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the missing migrations under a lock, so that several instances starting at once apply
 * each file exactly once: PostgreSQL takes a transaction-scoped advisory lock and runs everything in
 * one transaction (its DDL is transactional); H2, whose DDL commits, holds a row lock on a second
 * connection while the first one migrates.
 */
public final class Migrator {
  private static final Logger LOG = LoggerFactory.getLogger(Migrator.class);

  private final DataSource dataSource;
  private final Dialect dialect;
  private final Names names;

  public Migrator(DataSource dataSource, Dialect dialect, Names names) {
    this.dataSource = dataSource;
    this.dialect = dialect;
    this.names = names;
  }

  /** Brings the schema to the newest known version and returns that version. */
  public int migrate() {
    try {
      return dialect == Dialect.POSTGRESQL ? migratePostgres() : migrateH2();
    } catch (SQLException e) {
      throw new AuditStoreSetupException("migrating the audit schema " + names.schema() + " failed: " + e.getMessage(), e);
    }
  }

  /**
   * For a store that does not migrate (the host runs the SQL files with Flyway or Liquibase): checks
   * that the event table exists and that auditkit's own version table, if there is one, is not newer.
   */
  public void verifyInstalled() {
    try (Connection c = dataSource.getConnection()) {
      try (Statement s = c.createStatement()) {
        s.executeQuery("select id from " + names.eventTable() + " where 1 = 0").close();
      } catch (SQLException e) {
        throw new AuditStoreSetupException("the audit table " + names.eventTable() + " is not installed (" + e.getMessage()
            + "); apply db/" + dialect.resourceDir() + "/V*.sql with Flyway or Liquibase, or build the store with migrate(true)", e);
      }
      refuseOlder(c);
      boolean auto = c.getAutoCommit();
      c.setAutoCommit(false);
      try (Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("select max(version) from " + names.versionTable())) {
        int newest = rs.next() ? rs.getInt(1) : 0;
        refuseNewer(newest);
      } catch (SQLException e) {
        // no version table: the schema was installed by the host's own migration tool
      } finally {
        c.rollback();
        c.setAutoCommit(auto);
      }
    } catch (SQLException e) {
      throw new AuditStoreSetupException("cannot connect to the audit database: " + e.getMessage(), e);
    }
  }

  /**
   * Refuses a schema that lacks a later version's columns (a host that upgraded auditkit but has
   * not applied the new SQL files with its own migration tool): the store would fail at every
   * write or sealing pass instead of at build.
   */
  private void refuseOlder(Connection c) {
    String[][] probes = dialect == Dialect.POSTGRESQL
        ? new String[][] {{"V3__event_hash.sql", "select event_hash from " + names.eventTable()},
            {"V4__chain_high_xid.sql", "select high_xid, high_seq from " + names.chainTable()}}
        : new String[][] {{"V3__event_hash.sql", "select event_hash from " + names.eventTable()}};
    for (String[] probe : probes) {
      try (Statement s = c.createStatement()) {
        s.executeQuery(probe[1] + " where 1 = 0").close();
      } catch (SQLException e) {
        if ("42501".equals(e.getSQLState()) || "90096".equals(e.getSQLState())) {
          continue; // a role without rights on that table (an app role that only writes events): cannot tell
        }
        throw new AuditStoreSetupException("the audit schema " + names.schema() + " is older than this auditkit: "
            + "db/" + dialect.resourceDir() + "/" + probe[0] + " is not applied (" + e.getMessage() + "); apply it and any "
            + "later file with Flyway or Liquibase, or build the store with migrate(true)", e);
      }
    }
  }

  private void refuseNewer(int newest) {
    if (newest > Migration.latestVersion()) {
      throw new AuditStoreSetupException("the audit schema " + names.schema() + " is at version " + newest
          + ", newer than this auditkit knows (up to " + Migration.latestVersion()
          + "); upgrade auditkit instead of running an older version against it");
    }
  }

  private int migratePostgres() throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      boolean auto = c.getAutoCommit();
      c.setAutoCommit(false);
      try {
        try (PreparedStatement ps = c.prepareStatement("select pg_advisory_xact_lock(?)")) {
          ps.setLong(1, lockKey());
          ps.executeQuery().close();
        }
        createSchemaIfMissing(c);
        int v = applyMissing(c);
        c.commit();
        return v;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(auto);
      }
    }
  }

  private int migrateH2() throws SQLException {
    String lockTable = names.schema() + "." + names.prefix() + "schema_lock";
    try (Connection lock = dataSource.getConnection(); Connection work = dataSource.getConnection()) {
      createSchemaIfMissing(lock);
      try (Statement s = lock.createStatement()) {
        s.execute("create table if not exists " + lockTable + " (id int primary key)");
        try {
          s.execute("insert into " + lockTable + " values (1)");
        } catch (SQLException e) {
          if (!"23505".equals(e.getSQLState())) {
            throw e;
          }
        }
      }
      boolean auto = lock.getAutoCommit();
      lock.setAutoCommit(false);
      try {
        try (Statement s = lock.createStatement()) {
          s.execute("set lock_timeout 60000");
          s.executeQuery("select id from " + lockTable + " where id = 1 for update").close();
        }
        int v = applyMissing(work);
        lock.commit();
        return v;
      } catch (SQLException | RuntimeException e) {
        lock.rollback();
        throw e;
      } finally {
        lock.setAutoCommit(auto);
      }
    }
  }

  /** Only when missing: even {@code if not exists} needs the CREATE right on the database. */
  private void createSchemaIfMissing(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "select count(*) from information_schema.schemata where lower(schema_name) = ?")) {
      ps.setString(1, names.schema());
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        if (rs.getInt(1) > 0) {
          return;
        }
      }
    }
    try (Statement s = c.createStatement()) {
      s.execute("create schema if not exists " + names.schema());
    }
  }

  private int applyMissing(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("create table if not exists " + names.versionTable() + " ("
          + "version int primary key, description varchar(200) not null, checksum varchar(64) not null, "
          + "installed_at timestamp with time zone default current_timestamp not null)");
    }
    Map<Integer, String> applied = new LinkedHashMap<>();
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("select version, checksum from " + names.versionTable() + " order by version")) {
      while (rs.next()) {
        applied.put(rs.getInt(1), rs.getString(2));
      }
    }
    int newest = applied.keySet().stream().mapToInt(Integer::intValue).max().orElse(0);
    refuseNewer(newest);
    List<Migration> all = Migration.all(dialect);
    for (Migration m : all) {
      String done = applied.get(m.version());
      if (done != null) {
        if (!done.equals(m.checksum())) {
          throw new AuditStoreSetupException("migration " + m.resource() + " was applied with checksum " + done
              + " but the file now has " + m.checksum() + "; the schema was changed outside a version step");
        }
        continue;
      }
      LOG.info("auditkit: applying {} to schema {}", m.resource(), names.schema());
      try (Statement s = c.createStatement()) {
        s.execute(m.sql(names.placeholders()));
      }
      try (PreparedStatement ps = c.prepareStatement(
          "insert into " + names.versionTable() + " (version, description, checksum) values (?, ?, ?)")) {
        ps.setInt(1, m.version());
        ps.setString(2, m.description());
        ps.setString(3, m.checksum());
        ps.executeUpdate();
      }
    }
    return all.isEmpty() ? newest : Math.max(newest, all.get(all.size() - 1).version());
  }

  private long lockKey() {
    return UUID.nameUUIDFromBytes(("auditkit-migrate:" + names.eventTable()).getBytes(StandardCharsets.UTF_8))
        .getMostSignificantBits();
  }
}

package dev.auditkit.jdbc;

import static dev.auditkit.jdbc.StoreFixtures.count;
import static dev.auditkit.jdbc.StoreFixtures.exec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.auditkit.core.AuditEvent;
import dev.auditkit.jdbc.internal.Dialect;
import dev.auditkit.jdbc.internal.Migration;
import dev.auditkit.testing.DatabaseTest;
import dev.auditkit.testing.TestDatabase;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class MigrationTest {

  @DatabaseTest
  void create_migratesAndRecordsTheVersion(TestDatabase db) throws SQLException {
    JdbcAuditStore store = JdbcAuditStore.create(db.dataSource());
    assertThat(count(db.dataSource(), "select max(version) from " + db.schema() + ".audit_schema_version"))
        .isEqualTo(Migration.latestVersion());
    assertThat(store.eventTable()).isEqualTo(db.schema().toLowerCase() + ".audit_event");
  }

  @DatabaseTest
  void migrate_again_changesNothing(TestDatabase db) throws SQLException {
    JdbcAuditStore store = JdbcAuditStore.create(db.dataSource());
    store.write(List.of(StoreFixtures.event()));
    assertThat(store.migrate()).isEqualTo(Migration.latestVersion());
    JdbcAuditStore second = JdbcAuditStore.create(db.dataSource());
    assertThat(count(db.dataSource(), "select count(*) from " + db.schema() + ".audit_schema_version")).isEqualTo(Migration.latestVersion());
    assertThat(count(db.dataSource(), "select count(*) from " + second.eventTable())).isEqualTo(1);
  }

  @DatabaseTest
  void instancesStartingAtOnce_applyEachVersionOnce(TestDatabase db) throws Exception {
    int n = 6;
    ExecutorService pool = Executors.newFixedThreadPool(n);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Callable<JdbcAuditStore>> starts = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        starts.add(() -> {
          start.await();
          return JdbcAuditStore.create(db.dataSource());
        });
      }
      List<Future<JdbcAuditStore>> stores = new ArrayList<>();
      starts.forEach(s -> stores.add(pool.submit(s)));
      start.countDown();
      for (Future<JdbcAuditStore> f : stores) {
        f.get().write(List.of(StoreFixtures.event()));
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(count(db.dataSource(), "select count(*) from " + db.schema() + ".audit_schema_version")).isEqualTo(Migration.latestVersion());
    assertThat(count(db.dataSource(), "select count(*) from " + db.schema() + ".audit_event")).isEqualTo(n);
  }

  @DatabaseTest
  void schemaNewerThanKnown_isRefusedWithAClearMessage(TestDatabase db) throws SQLException {
    JdbcAuditStore.create(db.dataSource());
    exec(db.dataSource(), "insert into " + db.schema() + ".audit_schema_version (version, description, checksum) values (99, 'future', 'x')");
    assertThatThrownBy(() -> JdbcAuditStore.create(db.dataSource()))
        .isInstanceOf(AuditStoreSetupException.class)
        .hasMessageContaining("version 99")
        .hasMessageContaining("newer than this auditkit knows")
        .hasMessageContaining("up to " + Migration.latestVersion());
  }

  @DatabaseTest
  void appliedFileChangedLater_isRefused(TestDatabase db) throws SQLException {
    JdbcAuditStore.create(db.dataSource());
    exec(db.dataSource(), "update " + db.schema() + ".audit_schema_version set checksum = 'tampered'");
    assertThatThrownBy(() -> JdbcAuditStore.create(db.dataSource()))
        .isInstanceOf(AuditStoreSetupException.class)
        .hasMessageContaining("checksum tampered");
  }

  @DatabaseTest
  void schemaAndPrefix_keepStoresApart(TestDatabase db) throws SQLException {
    // a schema of its own (PostgreSQL schemas are shared by every test run on the database)
    String schema = "audit_a" + java.util.UUID.randomUUID().toString().substring(0, 8);
    JdbcAuditStore a = JdbcAuditStore.builder(db.dataSource()).schema(schema).build();
    JdbcAuditStore b = JdbcAuditStore.builder(db.dataSource()).schema(schema).tablePrefix("Other_").build();
    try {
      AuditEvent e = StoreFixtures.event();
      a.write(List.of(e));
      assertThat(a.eventTable()).isEqualTo(schema + ".audit_event");
      assertThat(b.eventTable()).isEqualTo(schema + ".other_event");
      assertThat(a.findById(e.id())).contains(e);
      assertThat(b.findById(e.id())).isEmpty();
    } finally {
      a.close();
      b.close();
      exec(db.dataSource(), "drop schema " + schema + " cascade");
    }
  }

  @DatabaseTest
  void migrateFalse_onAnEmptySchema_isRefusedAtBuild(TestDatabase db) throws SQLException {
    assertThatThrownBy(() -> JdbcAuditStore.builder(db.dataSource()).migrate(false).build())
        .isInstanceOf(AuditStoreSetupException.class)
        .hasMessageContaining("audit_event is not installed")
        .hasMessageContaining("migrate(true)");
    assertThat(count(db.dataSource(), "select count(*) from information_schema.tables where lower(table_name) = 'audit_event' "
        + "and lower(table_schema) = '" + db.schema().toLowerCase() + "'"))
        .isZero();
  }

  @DatabaseTest
  void migrateFalse_onASchemaInstalledByTheHost_works(TestDatabase db) throws SQLException {
    // what a Flyway user does: run the SQL file with the placeholders filled, no auditkit version table
    Dialect dialect = db.dialect() == dev.auditkit.testing.TestDialect.POSTGRESQL ? Dialect.POSTGRESQL : Dialect.H2;
    String schema = db.dialect() == dev.auditkit.testing.TestDialect.POSTGRESQL ? db.schema() : "public";
    for (Migration m : Migration.all(dialect)) {
      exec(db.dataSource(), m.sql(java.util.Map.of("audit_schema", schema, "audit_prefix", "audit_")));
    }
    JdbcAuditStore store = JdbcAuditStore.builder(db.dataSource()).migrate(false).build();
    AuditEvent e = StoreFixtures.event();
    store.write(List.of(e));
    assertThat(store.findById(e.id())).contains(e);
  }

  @DatabaseTest
  void migrateFalse_onAnOlderSchema_isRefusedAtBuild_namingTheFileToApply(TestDatabase db) throws SQLException {
    // a host that upgraded auditkit but applied only the files it knew before
    Dialect dialect = db.dialect() == dev.auditkit.testing.TestDialect.POSTGRESQL ? Dialect.POSTGRESQL : Dialect.H2;
    String schema = db.dialect() == dev.auditkit.testing.TestDialect.POSTGRESQL ? db.schema() : "public";
    List<Migration> all = Migration.all(dialect);
    String missing = dialect == Dialect.POSTGRESQL ? "V4__chain_high_xid.sql" : "V3__event_hash.sql";
    for (Migration m : all) {
      if (m.resource().endsWith(missing)) {
        break;
      }
      exec(db.dataSource(), m.sql(java.util.Map.of("audit_schema", schema, "audit_prefix", "audit_")));
    }
    assertThatThrownBy(() -> JdbcAuditStore.builder(db.dataSource()).migrate(false).build())
        .isInstanceOf(AuditStoreSetupException.class)
        .hasMessageContaining("older than this auditkit").hasMessageContaining(missing);
  }

  @DatabaseTest
  void migrateFalse_onANewerSchema_isRefused(TestDatabase db) throws SQLException {
    JdbcAuditStore.create(db.dataSource());
    exec(db.dataSource(), "insert into " + db.schema() + ".audit_schema_version (version, description, checksum) values (7, 'future', 'x')");
    assertThatThrownBy(() -> JdbcAuditStore.builder(db.dataSource()).migrate(false).build())
        .isInstanceOf(AuditStoreSetupException.class).hasMessageContaining("version 7");
  }

  @DatabaseTest
  void badNames_areRejectedBeforeAnySql(TestDatabase db) {
    for (String bad : List.of("", " ", "1abc", "a b", "x;drop table t", "a\"b", "ünï", "a\u0000b", "s".repeat(64))) {
      assertThatThrownBy(() -> JdbcAuditStore.builder(db.dataSource()).schema(bad))
          .as("schema %s", bad).isInstanceOf(AuditStoreSetupException.class).hasMessageContaining("schema");
    }
    for (String bad : List.of("", "9", "a-b", "p".repeat(31), "x'--")) {
      assertThatThrownBy(() -> JdbcAuditStore.builder(db.dataSource()).tablePrefix(bad))
          .as("prefix %s", bad).isInstanceOf(AuditStoreSetupException.class).hasMessageContaining("tablePrefix");
    }
    assertThatThrownBy(() -> JdbcAuditStore.builder(db.dataSource()).schema(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> JdbcAuditStore.builder(db.dataSource()).tablePrefix(null)).isInstanceOf(AuditStoreSetupException.class);
    assertThatThrownBy(() -> JdbcAuditStore.builder(db.dataSource()).clock(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> JdbcAuditStore.builder((javax.sql.DataSource) null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void sqlFiles_useOnlyTheDocumentedPlaceholders() {
    Pattern p = Pattern.compile("\\$\\{(\\w+)}");
    for (Dialect d : Dialect.values()) {
      for (Migration m : Migration.all(d)) {
        Matcher matcher = p.matcher(m.sql());
        Set<String> used = matcher.results().map(r -> r.group(1)).collect(Collectors.toSet());
        assertThat(used).as(m.resource()).containsExactlyInAnyOrder("audit_schema", "audit_prefix");
        assertThat(m.resource()).matches("db/(postgresql|h2)/V\\d+__\\w+\\.sql");
      }
    }
  }
}

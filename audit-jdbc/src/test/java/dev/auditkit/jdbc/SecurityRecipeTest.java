package dev.auditkit.jdbc;

import static dev.auditkit.jdbc.StoreFixtures.exec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.auditkit.core.AuditEvent;
import dev.auditkit.testing.DatabaseTest;
import dev.auditkit.testing.TestDatabase;
import dev.auditkit.testing.TestDialect;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.postgresql.ds.PGSimpleDataSource;

/** Runs the GRANT recipe of docs/security.md as written and checks what the application role can do. */
class SecurityRecipeTest {

  @DatabaseTest(TestDialect.POSTGRESQL)
  void appRole_canOnlyInsertAndSelect(TestDatabase db) throws Exception {
    String suffix = UUID.randomUUID().toString().substring(0, 8).toLowerCase(Locale.ROOT);
    String owner = "audit_owner_" + suffix;
    String app = "audit_app_" + suffix;
    String schema = "audit_" + suffix;
    String recipe = recipe()
        .replaceAll("\\baudit_owner\\b", owner)
        .replaceAll("\\baudit_app\\b", app)
        .replaceAll("\\baudit\\b", schema);
    int step2 = recipe.indexOf("-- 2.");
    int step3 = recipe.indexOf("-- 3.");
    assertThat(step2).isPositive();
    assertThat(step3).isGreaterThan(step2);
    JdbcAuditStore store = null;
    try {
      exec(db.dataSource(), recipe.substring(0, step2));
      JdbcAuditStore.builder(as(db, owner)).schema(schema).sealInterval(null).build().close(); // migrates
      exec(db.dataSource(), recipe.substring(step3));

      PGSimpleDataSource appDs = as(db, app);
      // closed before the schema is dropped: a sealing pass still running would deadlock with the drop
      store = JdbcAuditStore.builder(appDs).schema(schema).migrate(false).build();
      AuditEvent now = StoreFixtures.event();
      AuditEvent newMonth = StoreFixtures.jobTransition("j").occurredAt(Instant.parse("2015-03-04T05:06:07Z")).build();
      store.write(List.of(now));
      store.write(List.of(newMonth)); // its partition is made through the SECURITY DEFINER function
      assertThat(store.findById(now.id())).contains(now);
      assertThat(store.findById(newMonth.id())).contains(newMonth);

      String table = schema + ".audit_event";
      for (String refused : List.of(
          "update " + table + " set action = 'X'",
          "delete from " + table,
          "truncate " + table,
          "truncate " + schema + ".audit_event_2015m03",
          "drop table " + table,
          "alter table " + table + " disable trigger all",
          "create table " + schema + ".evil (id int)",
          "select " + schema + ".audit_refuse_change()")) {
        assertThatThrownBy(() -> exec(appDs, refused)).as(refused)
            .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isIn("42501", "42883", "0A000"));
      }
      // the owner cannot change rows either: the triggers hold for everyone
      assertThatThrownBy(() -> exec(as(db, owner), "delete from " + table)).isInstanceOf(SQLException.class)
          .hasMessageContaining("append-only");
      assertThat(StoreFixtures.count(db.dataSource(), "select count(*) from " + table)).isEqualTo(2);
    } finally {
      if (store != null) {
        store.close();
      }
      exec(db.dataSource(), "drop schema if exists " + schema + " cascade");
      exec(db.dataSource(), "drop owned by " + app + " cascade");
      exec(db.dataSource(), "drop role if exists " + app);
      exec(db.dataSource(), "drop role if exists " + owner);
    }
  }

  /** A DataSource on the test database acting as {@code role} (the test server's superuser sets the role). */
  private static PGSimpleDataSource as(TestDatabase db, String role) {
    PGSimpleDataSource ds = new PGSimpleDataSource();
    ds.setURL(db.jdbcUrl());
    ds.setOptions("-c role=" + role);
    return ds;
  }

  private static String recipe() throws Exception {
    String doc = Files.readString(Path.of("..", "docs", "security.md"));
    Matcher m = Pattern.compile("```sql\\n(.*?)```", Pattern.DOTALL).matcher(doc);
    assertThat(m.find()).as("docs/security.md has a sql block").isTrue();
    return m.group(1);
  }
}

package dev.auditkit.jdbc;

import static dev.auditkit.jdbc.StoreFixtures.count;
import static org.assertj.core.api.Assertions.assertThat;

import dev.auditkit.core.AuditEvent;
import dev.auditkit.jdbc.internal.PgPartitions;
import dev.auditkit.testing.DatabaseTest;
import dev.auditkit.testing.TestDatabase;
import dev.auditkit.testing.TestDialect;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** PostgreSQL monthly partitions: made ahead and on demand, so an insert never fails for a month. */
class PartitionTest {

  @DatabaseTest(TestDialect.POSTGRESQL)
  void eventsOfAnyMonth_areStored(TestDatabase db) throws SQLException {
    JdbcAuditStore store = JdbcAuditStore.create(db.dataSource());
    int nextYear = YearMonth.now(ZoneOffset.UTC).getYear() + 1;
    List<AuditEvent> events = new ArrayList<>();
    for (String t : List.of("2019-06-15T08:00:00Z", nextYear + "-02-28T23:59:59.999999Z", "1970-01-01T00:00:00Z",
        "2199-12-31T23:59:59.999999Z", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59.999999Z")) {
      events.add(StoreFixtures.jobTransition("j").occurredAt(Instant.parse(t)).build());
    }
    for (AuditEvent e : events) {
      store.write(List.of(e)); // one by one: the INSERT path
    }
    List<AuditEvent> batch = new ArrayList<>();
    for (int y = 2000; y < 2040; y++) {
      batch.add(StoreFixtures.jobTransition("j").occurredAt(Instant.parse(y + "-07-01T00:00:00Z")).build());
    }
    store.write(batch); // the COPY path
    for (AuditEvent e : events) {
      assertThat(store.findById(e.id())).contains(e);
    }
    assertThat(partitions(db)).contains("audit_event_2019m06", "audit_event_" + nextYear + "m02", "audit_event_1970m01",
        "audit_event_2199m12", "audit_event_0001m01", "audit_event_9999m12", "audit_event_2000m07", "audit_event_2039m07");
    assertThat(count(db.dataSource(), "select count(*) from only " + store.eventTable())).as("rows in the parent itself").isZero();
  }

  @DatabaseTest(TestDialect.POSTGRESQL)
  void partitionBounds_areUtcMonths_whateverTheSessionTimeZone(TestDatabase db) throws SQLException {
    JdbcAuditStore store = JdbcAuditStore.create(db.dataSource());
    AuditEvent lastMicro = StoreFixtures.jobTransition("j").occurredAt(Instant.parse("2024-03-31T23:59:59.999999Z")).build();
    AuditEvent firstMicro = StoreFixtures.jobTransition("j").occurredAt(Instant.parse("2024-04-01T00:00:00Z")).build();
    store.write(List.of(lastMicro, firstMicro));
    assertThat(count(db.dataSource(), "select count(*) from " + db.schema() + ".audit_event_2024m03")).isEqualTo(1);
    assertThat(count(db.dataSource(), "select count(*) from " + db.schema() + ".audit_event_2024m04")).isEqualTo(1);
  }

  @DatabaseTest(TestDialect.POSTGRESQL)
  void monthsAhead_existBeforeAnyWrite(TestDatabase db) throws SQLException {
    Clock clock = Clock.fixed(Instant.parse("2030-11-20T10:00:00Z"), ZoneOffset.UTC);
    JdbcAuditStore store = JdbcAuditStore.builder(db.dataSource()).clock(clock).build();
    store.write(List.of(StoreFixtures.jobTransition("j").occurredAt(Instant.parse("2030-11-20T10:00:00Z")).build()));
    List<String> made = partitions(db);
    for (int i = 0; i <= PgPartitions.AHEAD_MONTHS; i++) {
      YearMonth m = YearMonth.of(2030, 11).plusMonths(i);
      assertThat(made).contains(String.format("audit_event_%04dm%02d", m.getYear(), m.getMonthValue()));
    }
    YearMonth now = YearMonth.now(ZoneOffset.UTC);
    assertThat(made).as("made by the migration itself")
        .contains(String.format("audit_event_%04dm%02d", now.getYear(), now.getMonthValue()));
  }

  @DatabaseTest(TestDialect.POSTGRESQL)
  void manyWritersNeedingTheSameNewMonths_allSucceed(TestDatabase db) throws Exception {
    JdbcAuditStore store = JdbcAuditStore.create(db.dataSource());
    ExecutorService pool = Executors.newFixedThreadPool(6);
    try {
      List<Callable<Void>> writers = new ArrayList<>();
      for (int w = 0; w < 6; w++) {
        writers.add(() -> {
          for (int y = 2040; y < 2046; y++) {
            store.write(List.of(StoreFixtures.jobTransition("j").occurredAt(Instant.parse(y + "-01-15T00:00:00Z")).build()));
          }
          return null;
        });
      }
      for (Future<Void> f : pool.invokeAll(writers)) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(count(db.dataSource(), "select count(*) from " + store.eventTable())).isEqualTo(36);
  }

  @DatabaseTest(TestDialect.POSTGRESQL)
  void partitionDroppedBehindTheStore_isMadeAgain(TestDatabase db) throws SQLException {
    JdbcAuditStore store = JdbcAuditStore.create(db.dataSource());
    store.write(List.of(StoreFixtures.jobTransition("j").occurredAt(Instant.parse("2021-01-10T00:00:00Z")).build()));
    StoreFixtures.exec(db.dataSource(), "drop table " + db.schema() + ".audit_event_2021m01");
    AuditEvent again = StoreFixtures.jobTransition("j").occurredAt(Instant.parse("2021-01-11T00:00:00Z")).build();
    store.write(List.of(again));
    assertThat(store.findById(again.id())).contains(again);
  }

  private static List<String> partitions(TestDatabase db) throws SQLException {
    List<String> names = new ArrayList<>();
    try (Connection c = db.connection(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("select c.relname from pg_inherits i join pg_class c on c.oid = i.inhrelid "
            + "where i.inhparent = '" + db.schema() + ".audit_event'::regclass")) {
      while (rs.next()) {
        names.add(rs.getString(1));
      }
    }
    return names;
  }
}

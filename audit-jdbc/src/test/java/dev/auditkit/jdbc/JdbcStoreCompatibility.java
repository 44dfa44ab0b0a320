package dev.auditkit.jdbc;

import dev.auditkit.core.AuditEvent;
import dev.auditkit.testing.AuditStoreCompatibilityKit;
import dev.auditkit.testing.TestDatabase;
import dev.auditkit.testing.TestDialect;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** The kit run against the JDBC store on one dialect; subclassed once per dialect. */
abstract class JdbcStoreCompatibility extends AuditStoreCompatibilityKit<JdbcAuditStore> {
  static final Instant FIRST = Instant.parse("0001-01-01T00:00:00Z");
  static final Instant LAST = Instant.parse("9999-12-31T23:59:59.999999Z");

  private final TestDialect dialect;
  private TestDatabase db;

  JdbcStoreCompatibility(TestDialect dialect) {
    this.dialect = dialect;
  }

  @Override
  protected JdbcAuditStore createStore() {
    db = TestDatabase.open(dialect);
    return JdbcAuditStore.create(db.dataSource());
  }

  @Override
  protected List<AuditEvent> readAll(JdbcAuditStore store) {
    return store.events(FIRST, LAST, Integer.MAX_VALUE);
  }

  @Override
  protected Optional<AuditEvent> findById(JdbcAuditStore store, UUID id) {
    return store.findById(id);
  }

  @Override
  protected void closeStore(JdbcAuditStore store) throws Exception {
    try {
      store.close();
    } finally {
      db.close();
    }
  }
}

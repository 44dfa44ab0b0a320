package dev.auditkit.testing;

import dev.auditkit.core.AuditEvent;
import dev.auditkit.core.InMemoryAuditStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** The in-memory store passes the same contract as the database stores. */
class InMemoryAuditStoreCompatibilityTest extends AuditStoreCompatibilityKit<InMemoryAuditStore> {
  @Override
  protected InMemoryAuditStore createStore() {
    return new InMemoryAuditStore();
  }

  @Override
  protected List<AuditEvent> readAll(InMemoryAuditStore store) {
    List<AuditEvent> all = new ArrayList<>(store.events());
    all.sort(STORE_ORDER);
    return all;
  }

  @Override
  protected Optional<AuditEvent> findById(InMemoryAuditStore store, UUID id) {
    return store.events().stream().filter(e -> e.id().equals(id)).findFirst();
  }
}

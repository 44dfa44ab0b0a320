package dev.auditkit.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class AuditLogTest {
  private static final Instant NOW = Instant.parse("2026-11-22T12:00:00.000001Z");
  private final InMemoryAuditStore store = new InMemoryAuditStore();
  private final AuditLog audit = AuditLog.builder().store(store).clock(Clock.fixed(NOW, ZoneOffset.UTC))
      .source("portal", "2.3.1", "web-1").build();

  private AuditEvent only() {
    assertThat(store.events()).hasSize(1);
    return store.events().get(0);
  }

  private static final AuditContext CTX = AuditContext.builder()
      .tenantId("org-17").actor(Actor.user("u-42").role("admin").email("a@x.io"))
      .ipAddress("203.0.113.9").userAgent("Mozilla/5.0").requestId("req-1").httpMethod("POST").path("/api/jobs/7")
      .metadata("apiRoute", "jobs/approve").build();

  @Test
  void aClosedSyncLog_refusesEvents_andWritesNothing() {
    InMemoryAuditStore closedStore = new InMemoryAuditStore();
    AuditLog log = AuditLog.builder().store(closedStore).build();
    log.viewed("job", "before");
    log.close();
    assertThatThrownBy(() -> log.logAction("approve", "job", "j-1", null)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("AuditLog is closed").hasMessageContaining("was not recorded");
    assertThatThrownBy(() -> log.appendAuditLog(AuditEvent.builder().action("x").resource("job", "j-2")))
        .isInstanceOf(IllegalStateException.class);
    assertThat(closedStore.events()).extracting(e -> e.resource().id()).containsExactly("before");
    log.close(); // again: nothing
  }

  @Test
  void build_withoutStore_fails() {
    assertThatThrownBy(() -> AuditLog.builder().build()).isInstanceOf(IllegalStateException.class).hasMessageContaining("store");
    assertThatThrownBy(() -> AuditLog.builder().store(null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void logAction_recordsActionResourceMetadata_andReturnsTheStoredId() {
    UUID id = audit.logAction("update_invoice", "invoice", "inv-9", Map.of("status", "paid"));
    AuditEvent e = only();
    assertThat(e.id()).isEqualTo(id);
    assertThat(e.action()).isEqualTo("update_invoice");
    assertThat(e.resource()).isEqualTo(Resource.of("invoice", "inv-9"));
    assertThat(e.metadata().get("status").asText()).isEqualTo("paid");
    assertThat(e.occurredAt()).isEqualTo(NOW);
    assertThat(e.source()).isEqualTo(SourceInfo.of("portal", "2.3.1", "web-1"));
  }

  @Test
  void missingFields_comeFromTheCurrentContext() {
    AuditContext.supplyWithAuditContext(CTX, () -> audit.viewed("job", "7"));
    AuditEvent e = only();
    assertThat(e.tenantId()).isEqualTo("org-17");
    assertThat(e.actor()).isEqualTo(Actor.user("u-42").role("admin").email("a@x.io"));
    assertThat(e.request().ip()).isEqualTo("203.0.113.9");
    assertThat(e.request().userAgent()).isEqualTo("Mozilla/5.0");
    assertThat(e.request().requestId()).isEqualTo("req-1");
    assertThat(e.request().method()).isEqualTo("POST");
    assertThat(e.request().path()).isEqualTo("/api/jobs/7");
    assertThat(e.metadata().get("apiRoute").asText()).isEqualTo("jobs/approve");
    assertThat(e.kind()).isEqualTo(EventKind.READ);
  }

  @Test
  void explicitEventFields_winOverTheContext() {
    AuditContext.supplyWithAuditContext(CTX, () -> audit.appendAuditLog(AuditEvent.builder()
        .action("ADMIN_TRIP_LAYOUT_UPDATED").resource("TripUiPreference", "default")
        .tenantId("org-99").actor(Actor.service("importer")).ipAddress("10.9.9.9")
        .metadata("apiRoute", "admin/trip-layout")));
    AuditEvent e = only();
    assertThat(e.tenantId()).isEqualTo("org-99");
    assertThat(e.actor()).isEqualTo(Actor.service("importer"));
    assertThat(e.request().ip()).isEqualTo("10.9.9.9");
    assertThat(e.request().requestId()).as("unset fields still come from the context").isEqualTo("req-1");
    assertThat(e.metadata().get("apiRoute").asText()).isEqualTo("admin/trip-layout");
  }

  @Test
  void withoutContext_actorIsAnonymous_andTenantNull() {
    audit.viewed("job", "7");
    assertThat(only().actor()).isEqualTo(Actor.anonymous());
    assertThat(only().tenantId()).isNull();
  }

  @Test
  void appendAuditLog_doesNotChangeTheCallersBuilder() {
    AuditEvent.Builder b = AuditEvent.builder().action("x").resource("r", "1");
    AuditContext.supplyWithAuditContext(CTX, () -> audit.appendAuditLog(b));
    AuditEvent direct = b.build();
    assertThat(direct.tenantId()).isNull();
    assertThat(direct.metadata().has("apiRoute")).isFalse();
  }

  @Test
  void appendAuditLog_ofABuiltEvent_keepsItsIdAndFillsContext() {
    AuditEvent built = AuditEvent.builder().action("x").resource("r", "1").build();
    UUID id = AuditContext.supplyWithAuditContext(CTX, () -> audit.appendAuditLog(built));
    assertThat(id).isEqualTo(built.id());
    assertThat(only().tenantId()).isEqualTo("org-17");
  }

  record Job(String status, BigDecimal price, int version) {}

  @Test
  void created_recordsInitialValues() {
    audit.created("job", "7", new Job("SCHEDULED", new BigDecimal("10.50"), 1));
    AuditEvent e = only();
    assertThat(e.action()).isEqualTo(AuditLog.ACTION_CREATED);
    assertThat(e.kind()).isEqualTo(EventKind.CREATE);
    assertThat(e.newValue().get("status").asText()).isEqualTo("SCHEDULED");
    assertThat(e.oldValue()).isNull();
  }

  @Test
  void updated_recordsOnlyChangedTopLevelFields_numbersByValue() {
    audit.updated("job", "7", new Job("SCHEDULED", new BigDecimal("10.5"), 1), new Job("DONE", new BigDecimal("10.50"), 2));
    AuditEvent e = only();
    assertThat(e.kind()).isEqualTo(EventKind.UPDATE);
    assertThat(e.changes()).extracting(FieldChange::path).containsExactly("status", "version");
    FieldChange status = e.changes().get(0);
    assertThat(status.from().asText()).isEqualTo("SCHEDULED");
    assertThat(status.to().asText()).isEqualTo("DONE");
  }

  @Test
  void updated_withMaps_recordsAddedAndRemovedFields() {
    audit.updated("cfg", "1", Map.of("a", 1, "gone", true), Map.of("a", 1, "new", "x"));
    assertThat(only().changes()).extracting(FieldChange::path).containsExactly("gone", "new");
    assertThat(only().changes().get(0).to().isNull()).isTrue();
    assertThat(only().changes().get(1).from().isNull()).isTrue();
  }

  @Test
  void updated_withNothingChanged_isStillRecordedWithNoChanges() {
    audit.updated("job", "7", Map.of("a", 1), Map.of("a", 1));
    assertThat(only().changes()).isEmpty();
  }

  @Test
  void deleted_recordsTheLastSnapshot() {
    audit.deleted("job", "7", Map.of("status", "DONE"));
    assertThat(only().kind()).isEqualTo(EventKind.DELETE);
    assertThat(only().oldValue().get("status").asText()).isEqualTo("DONE");
  }

  @Test
  void transition_recordsFromAndToState() {
    audit.transition("Job", "job-7", "SCHEDULED", "COMPLETED_PENDING_APPROVAL", Map.of("workerId", "w-3"));
    AuditEvent e = only();
    assertThat(e.kind()).isEqualTo(EventKind.TRANSITION);
    assertThat(e.fromState()).isEqualTo("SCHEDULED");
    assertThat(e.toState()).isEqualTo("COMPLETED_PENDING_APPROVAL");
    assertThat(e.metadata().get("workerId").asText()).isEqualTo("w-3");
  }

  @Test
  void transition_withBlankStates_failsNamingTheField() {
    assertThatThrownBy(() -> audit.transition("Job", "1", " ", "B", null))
        .isInstanceOfSatisfying(InvalidAuditEventException.class, e -> assertThat(e.field()).isEqualTo("fromState"));
    assertThatThrownBy(() -> audit.transition("Job", "1", "A", null, null))
        .isInstanceOfSatisfying(InvalidAuditEventException.class, e -> assertThat(e.field()).isEqualTo("toState"));
    assertThat(store.events()).isEmpty();
  }

  @Test
  void securityEvent_usesTheTypesKindOutcomeAndAction() {
    audit.securityEvent(SecurityEventType.FORBIDDEN, Map.of("path", "/api/admin"));
    AuditEvent e = only();
    assertThat(e.action()).isEqualTo("security.forbidden");
    assertThat(e.kind()).isEqualTo(EventKind.SECURITY);
    assertThat(e.outcome()).isEqualTo(Outcome.DENIED);
    assertThat(e.resource().type()).isEqualTo("security");
    assertThatThrownBy(() -> audit.securityEvent(null, null))
        .isInstanceOfSatisfying(InvalidAuditEventException.class, ex -> assertThat(ex.field()).isEqualTo("type"));
  }

  @Test
  void facadeBadInput_failsBeforeAnythingIsWritten() {
    assertThatThrownBy(() -> audit.logAction(null, "invoice", "1", null))
        .isInstanceOfSatisfying(InvalidAuditEventException.class, e -> assertThat(e.field()).isEqualTo("action"));
    assertThatThrownBy(() -> audit.logAction("x", " ", "1", null))
        .isInstanceOfSatisfying(InvalidAuditEventException.class, e -> assertThat(e.field()).isEqualTo("resource.type"));
    assertThatThrownBy(() -> audit.logAction("x", "invoice", "1", List.of("not", "an", "object")))
        .isInstanceOfSatisfying(InvalidAuditEventException.class, e -> assertThat(e.field()).isEqualTo("metadata"));
    assertThatThrownBy(() -> audit.logAction("x", "invoice", "1", "{\"a\":1}"))
        .isInstanceOfSatisfying(InvalidAuditEventException.class, e -> assertThat(e.field()).isEqualTo("metadata"));
    assertThatThrownBy(() -> audit.created(null, "1", Map.of()))
        .isInstanceOfSatisfying(InvalidAuditEventException.class, e -> assertThat(e.field()).isEqualTo("resource.type"));
    assertThatThrownBy(() -> audit.appendAuditLog((AuditEvent.Builder) null)).isInstanceOf(NullPointerException.class);
    assertThat(store.events()).isEmpty();
  }

  @Test
  void hostileContextValues_areSanitisedNotRejected() {
    AuditContext hostile = AuditContext.builder().tenantId("org\u0000").actor(Actor.user("u\n1"))
        .ipAddress("not-an-ip").userAgent("UA\r\nX-Injected: x=1" + "y".repeat(5000)).build();
    AuditContext.supplyWithAuditContext(hostile, () -> audit.viewed("job", "1"));
    AuditEvent e = only();
    assertThat(e.tenantId()).isEqualTo("org");
    assertThat(e.actor().id()).isEqualTo("u1");
    assertThat(e.request().ip()).isNull();
    assertThat(e.metadata().get(AuditEvent.NOTES_KEY).toString()).contains("not-an-ip");
    assertThat(e.request().userAgent()).startsWith("UAX-Injected: x=1").endsWith(AuditLimits.TRUNCATION_MARKER).hasSize(1024);
  }

  @Test
  void syncDelivery_throwsAuditWriteException_whenTheStoreFails() {
    AuditSink broken = events -> {
      throw new IllegalStateException("database down");
    };
    AuditLog failing = AuditLog.builder().store(broken).build();
    assertThatThrownBy(() -> failing.viewed("job", "1"))
        .isInstanceOf(AuditWriteException.class).hasMessageContaining("database down").hasCauseInstanceOf(IllegalStateException.class);
  }

  @Test
  void inMemoryStore_isIdempotentById() {
    AuditEvent e = AuditEvent.builder().action("x").resource("r", "1").build();
    store.write(List.of(e, e));
    store.write(List.of(e));
    assertThat(store.events()).containsExactly(e);
  }

  @Test
  void concurrentWriters_loseNothing() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    Set<UUID> ids = ConcurrentHashMap.newKeySet();
    try {
      List<Future<?>> fs = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        int tenant = t;
        fs.add(pool.submit(() -> AuditContext.runWithAuditContext(
            AuditContext.builder().tenantId("org-" + tenant).build(),
            () -> {
              for (int i = 0; i < 2_000; i++) {
                ids.add(audit.logAction("tick", "counter", String.valueOf(i), null));
              }
            })));
      }
      for (Future<?> f : fs) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(ids).hasSize(16_000);
    assertThat(store.size()).isEqualTo(16_000);
    for (int t = 0; t < 8; t++) {
      String tenant = "org-" + t;
      assertThat(store.events().stream().filter(e -> tenant.equals(e.tenantId()))).hasSize(2_000);
    }
  }

  @Test
  void metadataJsonNodeFromCaller_isCopied() {
    var node = JsonNodeFactory.instance.objectNode().put("k", 1);
    audit.logAction("x", "r", "1", node);
    node.put("k", 2);
    assertThat(only().metadata().get("k").asInt()).isEqualTo(1);
  }
}

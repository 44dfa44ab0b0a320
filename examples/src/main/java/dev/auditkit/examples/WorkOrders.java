package dev.auditkit.examples;

import dev.auditkit.core.AuditContext;
import dev.auditkit.core.AuditEvent;
import dev.auditkit.core.AuditLog;
import dev.auditkit.core.EventKind;
import dev.auditkit.core.SecurityEventType;
import dev.auditkit.jdbc.JdbcAuditStore;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * The host's business code: work orders of a field-service company, in the host's own table. Each
 * method is what a controller of the portal would call; the audit calls are the only auditkit code
 * a host adds to it. The tenant comes from the request's {@link AuditContext}, which the servlet
 * filter (or here, the caller) binds.
 */
final class WorkOrders {
  static final String TYPE = "WorkOrder";

  /** A row of the host's {@code work_order} table; {@code gateCode} is a site secret the log masks. */
  record WorkOrder(String id, String tenantId, String site, String status, String technician, String notes,
      String gateCode) {}

  private final Jdbi jdbi;
  private final AuditLog audit;
  private final JdbcAuditStore store;
  /** Ids of the events recorded here, so the example can show that every one of them was stored. */
  private final List<UUID> recorded = new CopyOnWriteArrayList<>();

  WorkOrders(Jdbi jdbi, AuditLog audit, JdbcAuditStore store) {
    this.jdbi = jdbi;
    this.audit = audit;
    this.store = store;
    jdbi.useHandle(h -> h.execute("create table if not exists work_order (id varchar(64) primary key,"
        + " tenant_id varchar(64) not null, site varchar(200) not null, status varchar(40) not null,"
        + " technician varchar(64), notes varchar(2000), gate_code varchar(20))"));
  }

  /** A dispatcher opens a work order: recorded as CREATE with the (masked) initial values. */
  WorkOrder create(String site, String gateCode, String notes) {
    WorkOrder order = new WorkOrder("wo-" + UUID.randomUUID().toString().substring(0, 8), tenant(), site, "NEW", null,
        notes, gateCode);
    jdbi.useHandle(h -> h.createUpdate("insert into work_order values (:id, :tenant, :site, :status, null, :notes, :gate)")
        .bind("id", order.id()).bind("tenant", order.tenantId()).bind("site", site).bind("status", order.status())
        .bind("notes", notes).bind("gate", gateCode).execute());
    recorded.add(audit.created(TYPE, order.id(), order));
    return order;
  }

  /** A dispatcher assigns a technician: recorded as UPDATE with the fields that changed. */
  WorkOrder assign(String id, String technician) {
    WorkOrder before = find(id).orElseThrow();
    WorkOrder after = new WorkOrder(id, before.tenantId(), before.site(), "SCHEDULED", technician, before.notes(),
        before.gateCode());
    jdbi.useHandle(h -> h.createUpdate("update work_order set status = :status, technician = :technician where id = :id")
        .bind("status", after.status()).bind("technician", technician).bind("id", id).execute());
    recorded.add(audit.updated(TYPE, id, before, after));
    return after;
  }

  /**
   * The technician completes the job. The status change and its audit event are written in one
   * transaction of the host: if either fails, neither is stored.
   */
  void complete(String id, String notes) {
    jdbi.useTransaction(h -> {
      WorkOrder before = find(h, id).orElseThrow();
      h.createUpdate("update work_order set status = 'COMPLETED_PENDING_APPROVAL', notes = :notes where id = :id")
          .bind("notes", notes).bind("id", id).execute();
      AuditEvent event = audit.prepare(AuditEvent.builder()
          .action(AuditLog.ACTION_TRANSITION).kind(EventKind.TRANSITION)
          .resource(TYPE, id)
          .fromState(before.status()).toState("COMPLETED_PENDING_APPROVAL")
          .metadata(Map.of("notes", notes)));
      store.append(h, List.of(event));
      recorded.add(event.id()); // (a rollback after this line would undo the row; none follows here)
    });
  }

  /**
   * Somebody opens a work order. One of another tenant is not shown, and the attempt is recorded
   * as a security event.
   */
  Optional<WorkOrder> view(String id) {
    Optional<WorkOrder> found = find(id);
    if (found.isPresent() && !found.get().tenantId().equals(tenant())) {
      Map<String, Object> attempt = new LinkedHashMap<>();
      attempt.put("resourceType", TYPE);
      attempt.put("resourceId", id);
      recorded.add(audit.securityEvent(SecurityEventType.CROSS_TENANT_ACCESS, attempt));
      return Optional.empty();
    }
    found.ifPresent(o -> recorded.add(audit.viewed(TYPE, id)));
    return found;
  }

  /**
   * The customer pays on the technician's device. What the payment form sent is recorded as it is;
   * the redaction policy keeps the card number (also inside free text) and the CVV out of the log.
   */
  UUID capturePayment(String id, BigDecimal amount, String cardNumber, String cvv) {
    Map<String, Object> form = new LinkedHashMap<>();
    form.put("amount", amount);
    form.put("currency", "USD");
    form.put("cardNumber", cardNumber);
    form.put("cvv", cvv);
    form.put("receiptText", "Paid " + amount + " USD with card " + cardNumber);
    UUID event = audit.logAction("payment.captured", TYPE, id, form);
    recorded.add(event);
    return event;
  }

  /** The events recorded so far, in order. */
  List<UUID> recorded() {
    return List.copyOf(recorded);
  }

  private Optional<WorkOrder> find(String id) {
    return jdbi.withHandle(h -> find(h, id));
  }

  private static Optional<WorkOrder> find(Handle h, String id) {
    return h.createQuery("select id, tenant_id, site, status, technician, notes, gate_code from work_order where id = :id")
        .bind("id", id)
        .map((rs, ctx) -> new WorkOrder(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
            rs.getString(5), rs.getString(6), rs.getString(7)))
        .findOne();
  }

  private static String tenant() {
    return AuditContext.current().map(AuditContext::tenantId)
        .orElseThrow(() -> new IllegalStateException("no request context: which tenant is this?"));
  }
}

package dev.auditkit.core;

/**
 * Security-relevant events recorded with {@link AuditLog#securityEvent}. Each type carries the
 * {@link EventKind} and {@link Outcome} it is recorded with.
 */
public enum SecurityEventType {
  LOGIN_SUCCEEDED(EventKind.AUTH, Outcome.SUCCESS),
  LOGIN_FAILED(EventKind.AUTH, Outcome.FAILURE),
  LOGOUT(EventKind.AUTH, Outcome.SUCCESS),
  MFA_SUCCEEDED(EventKind.AUTH, Outcome.SUCCESS),
  MFA_FAILED(EventKind.AUTH, Outcome.FAILURE),
  PASSWORD_CHANGED(EventKind.AUTH, Outcome.SUCCESS),
  PASSWORD_RESET_REQUESTED(EventKind.AUTH, Outcome.SUCCESS),
  ACCOUNT_LOCKED(EventKind.AUTH, Outcome.DENIED),
  /** HTTP 401: no or invalid credentials. */
  UNAUTHORIZED(EventKind.SECURITY, Outcome.DENIED),
  /** HTTP 403: authenticated but not allowed. */
  FORBIDDEN(EventKind.SECURITY, Outcome.DENIED),
  /** A caller tried to read or change another tenant's data. */
  CROSS_TENANT_ACCESS(EventKind.SECURITY, Outcome.DENIED),
  PERMISSION_CHANGED(EventKind.SECURITY, Outcome.SUCCESS),
  API_KEY_CREATED(EventKind.SECURITY, Outcome.SUCCESS),
  API_KEY_REVOKED(EventKind.SECURITY, Outcome.SUCCESS),
  RATE_LIMITED(EventKind.SECURITY, Outcome.DENIED),
  SUSPICIOUS_ACTIVITY(EventKind.SECURITY, Outcome.FAILURE),
  /** The audit trail itself failed verification. */
  TAMPERING_DETECTED(EventKind.SECURITY, Outcome.FAILURE);

  private final EventKind kind;
  private final Outcome outcome;

  SecurityEventType(EventKind kind, Outcome outcome) {
    this.kind = kind;
    this.outcome = outcome;
  }

  /** The kind events of this type are recorded with. */
  public EventKind kind() {
    return kind;
  }

  /** The outcome events of this type are recorded with. */
  public Outcome outcome() {
    return outcome;
  }

  /** The action name used for this type, such as {@code security.login_failed}. */
  public String action() {
    return "security." + name().toLowerCase(java.util.Locale.ROOT);
  }
}

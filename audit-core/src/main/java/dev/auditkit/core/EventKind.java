package dev.auditkit.core;

/** The broad category of an audited action, used for filtering and reporting. */
public enum EventKind {
  CREATE,
  READ,
  UPDATE,
  DELETE,
  /** A state-machine transition, with {@code fromState} and {@code toState}. */
  TRANSITION,
  /** An HTTP request or other access recorded by a filter. */
  ACCESS,
  /** Authentication: login, logout, MFA, password changes. */
  AUTH,
  /** Security-relevant incidents such as forbidden access or tampering. */
  SECURITY,
  OTHER
}

package dev.auditkit.core;

/** What kind of principal performed an action. */
public enum ActorType {
  /** A human user of the host application. */
  USER,
  /** Another service or an API client acting with its own credentials. */
  SERVICE,
  /** The host application itself: schedulers, migrations, retention jobs. */
  SYSTEM,
  /** An unauthenticated caller. */
  ANONYMOUS
}

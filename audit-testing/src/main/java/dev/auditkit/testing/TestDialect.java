package dev.auditkit.testing;

/** The databases a {@link DatabaseTest} runs on. */
public enum TestDialect {
  /** The real PostgreSQL named by {@code AUDITKIT_PG_URL}, on a fresh schema per test. */
  POSTGRESQL("postgresql"),
  /** A fresh in-memory H2 database per test. */
  H2("h2");

  private final String displayName;

  TestDialect(String displayName) {
    this.displayName = displayName;
  }

  /** The lower-case name shown in test reports, such as {@code postgresql}. */
  public String displayName() {
    return displayName;
  }
}

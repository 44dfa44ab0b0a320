package dev.auditkit.core;

/** How the audited action ended. */
public enum Outcome {
  SUCCESS,
  FAILURE,
  /** Refused by an authorisation or policy check. */
  DENIED
}

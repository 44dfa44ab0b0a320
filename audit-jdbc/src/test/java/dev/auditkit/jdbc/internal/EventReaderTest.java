package dev.auditkit.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.auditkit.core.InvalidAuditEventException;
import org.junit.jupiter.api.Test;

/**
 * Which failures while rebuilding a row blame the row. Only those may be quarantined by the sealer
 * or reported as modified by verify; anything else (a bug, the driver) must surface as an error and
 * never pass for tampering. The rows themselves are tampered with in {@code PoisonEventTest}.
 */
class EventReaderTest {
  @Test
  void aMalformedRowOrAValueTheModelRefuses_isTheRows() {
    assertThat(EventReader.isRowProblem(new MalformedRowException("column kind holds 'X'"))).isTrue();
    assertThat(EventReader.isRowProblem(new InvalidAuditEventException("action", "malformed"))).isTrue();
  }

  @Test
  void aBugOrTheDriver_isNotTheRows() {
    assertThat(EventReader.isRowProblem(new NullPointerException())).isFalse();
    assertThat(EventReader.isRowProblem(new ClassCastException())).isFalse();
    assertThat(EventReader.isRowProblem(new IllegalStateException("pool closed"))).isFalse();
    assertThat(EventReader.isRowProblem(new IllegalArgumentException("no enum constant"))).isFalse();
    assertThat(EventReader.isRowProblem(new java.sql.SQLException("connection reset"))).isFalse();
  }
}

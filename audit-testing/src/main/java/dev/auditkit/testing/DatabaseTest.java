package dev.auditkit.testing;

import dev.auditkit.testing.internal.DatabaseTestExtension;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.TestTemplate;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs a test method once per database — {@code [postgresql]} and {@code [h2]} by default — and
 * hands it a fresh {@link TestDatabase} parameter that is dropped after the test.
 *
 * <pre>{@code
 * @DatabaseTest
 * void storesRows(TestDatabase db) throws SQLException {
 *   try (Connection c = db.dataSource().getConnection()) { ... }
 * }
 * }</pre>
 *
 * <p>PostgreSQL comes from the environment variable {@code AUDITKIT_PG_URL} (default
 * {@value TestDatabase#DEFAULT_PG_URL}). When it does not answer, the PostgreSQL run is skipped —
 * unless the environment variable {@code CI} is {@code true}, where it fails.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@TestTemplate
@ExtendWith(DatabaseTestExtension.class)
public @interface DatabaseTest {
  /** The databases to run on; both by default. */
  TestDialect[] value() default {TestDialect.POSTGRESQL, TestDialect.H2};
}

package dev.auditkit.core;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Leaves a property of a host class out of audit records: it is neither compared by
 * {@link ChangeDiffer} nor written into snapshots. Put it on a field, getter or record component,
 * e.g. on {@code updatedAt} or {@code version}. Same effect as {@link DiffRules.Builder#ignore}.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.FIELD, ElementType.METHOD, ElementType.RECORD_COMPONENT})
public @interface AuditIgnore {}

package dev.auditkit.core;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a property of a host class whose value must never be recorded: a change is still recorded
 * (so the trail shows that, say, a gate code was changed) but both values read
 * {@link RedactionPolicy#REDACTED}, and snapshots show the marker too. Put it on a field, getter or
 * record component. Same effect as {@link DiffRules.Builder#mask}.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.FIELD, ElementType.METHOD, ElementType.RECORD_COMPONENT})
public @interface AuditMasked {}

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
 * record component. Same effect as {@link DiffRules.Builder#mask}. Objects given to an event
 * directly (a snapshot or metadata as a POJO or record) show the marker too. A class the differ
 * converts with Jackson as a whole instead of walking it (one with {@code @JsonFormat}, a custom
 * serializer or {@code @JsonValue}) shows the marker on both sides, so a change of only the masked
 * value is not seen there.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.FIELD, ElementType.METHOD, ElementType.RECORD_COMPONENT})
public @interface AuditMasked {}

/**
 * Implementation details of auditkit. Nothing in this package is supported API: it may change
 * in any release without notice. Other auditkit modules may use it; host applications must not.
 */
package dev.auditkit.core.internal;

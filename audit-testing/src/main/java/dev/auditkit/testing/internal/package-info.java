/** Implementation of the test support. Not API: anything here may change without notice. */
package dev.auditkit.testing.internal;

/** Implementation of the JDBC store. Not API: anything here may change without notice. */
package dev.auditkit.jdbc.internal;

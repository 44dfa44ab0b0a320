/**
 * Implementation of the hash chain: the canonical writer, hashing and PEM helpers, the JSON forms
 * of checkpoints and exports, and the offline verifier's command line. Not supported API.
 */
package dev.auditkit.core.chain.internal;

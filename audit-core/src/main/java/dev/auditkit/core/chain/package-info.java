/**
 * Tamper evidence: the {@link dev.auditkit.core.chain.CanonicalEncoding canonical encoding} of an
 * event, per-tenant SHA-256 {@link dev.auditkit.core.chain.ChainSealer hash chains}, Ed25519
 * {@link dev.auditkit.core.chain.Checkpoint signed checkpoints} published to
 * {@link dev.auditkit.core.chain.CheckpointWitness witnesses}, the streaming
 * {@link dev.auditkit.core.chain.ChainVerifier verifier} and a verifiable
 * {@link dev.auditkit.core.chain.ChainExportWriter export}.
 *
 * <p>Everything here is free of I/O except the witnesses and the export reader/writer: a store
 * seals by handing events to a {@link dev.auditkit.core.chain.ChainSealer} and verifies by
 * exposing its rows as a {@link dev.auditkit.core.chain.ChainSource}.
 */
package dev.auditkit.core.chain;

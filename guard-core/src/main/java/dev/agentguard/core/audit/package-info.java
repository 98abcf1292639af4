/**
 * The audit trail: an append-only JSONL file of decision records, redacted, hash-chained (optionally keyed),
 * rotated, written by one background thread from a bounded queue ({@link dev.agentguard.core.audit.AuditSink}),
 * anchored outside the file by checkpoints in the decision log, and checked by
 * {@link dev.agentguard.core.audit.AuditVerifier}. {@link dev.agentguard.core.audit.DecisionRecord} is the one
 * mapping from a decision event to the record's fields, shared with the decision log.
 */
package dev.agentguard.core.audit;

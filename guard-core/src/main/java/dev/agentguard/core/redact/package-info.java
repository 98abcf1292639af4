/**
 * Redaction of texts before they reach a log line or the audit file: built-in classes (secrets, e-mails, cards,
 * phones) and user patterns, all run with RE2/J so that the time taken is linear in the text, whatever the input.
 */
package dev.agentguard.core.redact;

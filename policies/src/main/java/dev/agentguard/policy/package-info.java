/**
 * Guards declared in YAML: {@link dev.agentguard.policy.Policies} reads a policy file (format v1, described by
 * {@code policies/agent-guard-policy.schema.json} and documented key by key in {@code policies/reference.yaml}),
 * validates it through the core configuration builders, and returns a ready {@link dev.agentguard.core.Guard} or
 * the validated {@link dev.agentguard.policy.Policy}. Every problem of a file is reported at once, with file, line,
 * column and key path, in a {@link dev.agentguard.policy.PolicyException}. Multi-agent files, {@code extends},
 * presets and {@code ${ENV}} substitution are handled here; {@link dev.agentguard.policy.PolicyWatcher} reloads a
 * changed file into a running guard.
 */
package dev.agentguard.policy;

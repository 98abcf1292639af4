/**
 * YAML policy files bound to guard-core configuration. Filled by the policies issue; empty until then.
 */
package dev.agentguard.policy;

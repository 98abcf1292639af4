/**
 * The runnable demo. Filled by the examples issue; empty until then.
 */
package dev.agentguard.examples;

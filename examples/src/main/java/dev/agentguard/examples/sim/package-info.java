/**
 * An OpenAI-compatible chat-completions server on loopback, scripted per scenario, that moves simulated time by
 * each reply's latency: what the demo and the examples' tests call instead of a paid API.
 */
package dev.agentguard.examples.sim;

/**
 * The {@code agent-guard} command line: {@code verify} an audit file's hash chain, {@code report} what a set of
 * audit files records (spend, decisions, loops, refusals, latency), {@code replay} recorded calls under a
 * candidate policy, and {@code doctor} a policy and its setup.
 *
 * <p>Entry point: {@link dev.agentguard.cli.AgentGuardCli#main(String[])}, in the self-contained jar
 * {@code agent-guard-cli-VERSION-all.jar} that the launcher script {@code cli/agent-guard} runs. Exit status: 0 when
 * all is fine, 1 when something was found (tampering, refusals that replay would change, a setup problem), 2 on bad
 * usage or input that cannot be read.
 */
package dev.agentguard.cli;

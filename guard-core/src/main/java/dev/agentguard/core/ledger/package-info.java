/**
 * Where budget state lives: the {@link dev.agentguard.core.ledger.BudgetLedger} SPI (reserve on several windows
 * all-or-nothing, settle, release, read), its requests and holds, and the default in-process
 * {@link dev.agentguard.core.ledger.InMemoryLedger}. A fleet-wide ledger implements the same interface and passes
 * the same contract suite ({@code BudgetLedgerContract} in core's test jar). Amounts are plain {@code long}s in the
 * budget's unit (nano-dollars, tokens or calls). The in-memory ledger keeps each window as an entry under a spin
 * lock; the process and agent windows, which every thread's calls reserve on, lend each thread a credit while they
 * are far from any threshold, so that two threads do not take one lock in turn on every call.
 */
package dev.agentguard.core.ledger;

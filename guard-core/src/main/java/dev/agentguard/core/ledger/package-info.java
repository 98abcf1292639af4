/**
 * Where budget state lives: the {@link dev.agentguard.core.ledger.BudgetLedger} SPI (reserve on several windows
 * all-or-nothing, settle, release, read), its requests and holds, and the default in-process
 * {@link dev.agentguard.core.ledger.InMemoryLedger}. A fleet-wide ledger implements the same interface and passes
 * the same contract suite ({@code BudgetLedgerContract} in core's test jar). Amounts are plain {@code long}s in the
 * budget's unit (nano-dollars, tokens or calls).
 */
package dev.agentguard.core.ledger;

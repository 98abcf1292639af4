/**
 * The value types every package of agent-guard shares: money in nano-dollars ({@link dev.agentguard.core.common.Money}),
 * canonical token usage ({@link dev.agentguard.core.common.Usage}), the levels a budget applies at
 * ({@link dev.agentguard.core.common.Scope}, {@link dev.agentguard.core.common.ScopeKeys}), the vocabulary of a
 * decision ({@link dev.agentguard.core.common.Action}, {@link dev.agentguard.core.common.CallKind},
 * {@link dev.agentguard.core.common.Phase}, {@link dev.agentguard.core.common.Mode},
 * {@link dev.agentguard.core.common.Unit}) and injected time ({@link dev.agentguard.core.common.Ticker},
 * {@link dev.agentguard.core.common.SteadyClock}); and the helpers of the hot path that several packages share:
 * {@link dev.agentguard.core.common.RecentTicker} (a cache's time without a clock reading per lookup),
 * {@link dev.agentguard.core.common.SparseTouch} (a session told to its cache at most once per 1/64 of its idle expiry),
 * {@link dev.agentguard.core.common.SpinLock} (the lock of what every call passes through),
 * {@link dev.agentguard.core.common.ThreadProbe} (a thread's part of a structure split per thread),
 * {@link dev.agentguard.core.common.Padding} with {@link dev.agentguard.core.common.PaddedSpinLock} (room around
 * what one thread writes in such a part, so that two threads' parts never share a cache line), and
 * {@link dev.agentguard.core.common.Prefetch} (reads that start a cold session's cache lines on their way at once).
 *
 * <p>A leaf: it depends on no other package of agent-guard, so that any package may use it without a cycle.
 */
package dev.agentguard.core.common;

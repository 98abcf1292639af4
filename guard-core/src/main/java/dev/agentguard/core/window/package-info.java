/**
 * Rolling windows: rings of pre-allocated buckets with a running total (O(1) read, memory bounded by the number
 * of buckets), sliding ({@link dev.agentguard.core.window.SlidingWindow}) or calendar
 * ({@link dev.agentguard.core.window.CalendarWindow}), described by a
 * {@link dev.agentguard.core.window.WindowSpec}; plus counters and a latency recorder for telemetry, whose rings
 * ({@link dev.agentguard.core.window.LatencyRing}) may keep when each sample came, so that several can be summarised
 * together over their latest samples. What one thread writes on every call beside other threads' own (a ring, a
 * {@linkplain dev.agentguard.core.window.CounterWindow#padded padded counter window}) keeps unused room at both
 * ends of its object and arrays ({@link dev.agentguard.core.common.Padding}).
 */
package dev.agentguard.core.window;

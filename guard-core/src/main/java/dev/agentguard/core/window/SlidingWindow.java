package dev.agentguard.core.window;

/** A ring of buckets with a running total. See {@link WindowSpec} for the exact coverage. */
final class SlidingWindow implements Window {

    SlidingWindow(long lengthNanos, int buckets) {
        // TODO(windows branch): implement
    }

    @Override
    public void add(long tickNanos, long epochMillis, long amount) {
        throw new UnsupportedOperationException("not yet implemented");
    }

    @Override
    public long total(long tickNanos, long epochMillis) {
        throw new UnsupportedOperationException("not yet implemented");
    }
}

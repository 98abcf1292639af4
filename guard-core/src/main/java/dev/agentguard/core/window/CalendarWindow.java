package dev.agentguard.core.window;

/** The total of the current calendar period. See {@link WindowSpec} for the exact coverage. */
final class CalendarWindow implements Window {

    CalendarWindow(CalendarPeriod period, java.time.ZoneId zone) {
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

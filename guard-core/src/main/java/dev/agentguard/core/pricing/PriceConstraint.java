package dev.agentguard.core.pricing;

import java.time.LocalDate;
import java.time.ZoneOffset;

/**
 * When a conditional price applies. Both kinds are read in UTC, as genai-prices does (the Python package compares
 * the request's UTC date, and the JS engine converts both the request time and the constraint's times to UTC).
 */
sealed interface PriceConstraint {

    long MILLIS_PER_DAY = 86_400_000L;

    /**
     * @param epochMillis the time of the call
     * @return true if the price applies then
     */
    boolean activeAt(long epochMillis);

    /** {@code {"start_date": "2025-06-10"}}: from 00:00 UTC of that day on. */
    record StartDate(LocalDate date, long startMillis) implements PriceConstraint {
        static StartDate of(LocalDate date) {
            return new StartDate(date, date.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli());
        }

        @Override
        public boolean activeAt(long epochMillis) {
            return epochMillis >= startMillis;
        }
    }

    /**
     * {@code {"start_time": "00:30:00Z", "end_time": "16:30:00Z"}}: every day, from the start (inclusive) to the end
     * (exclusive), in UTC. An interval whose end is before its start spans midnight, as in genai-prices' JS engine
     * (the Python package would never match such an interval; the bundled feed has none).
     */
    record TimeOfDay(long startMilliOfDay, long endMilliOfDay) implements PriceConstraint {
        @Override
        public boolean activeAt(long epochMillis) {
            long t = Math.floorMod(epochMillis, MILLIS_PER_DAY);
            if (endMilliOfDay < startMilliOfDay) {
                return t >= startMilliOfDay || t < endMilliOfDay;
            }
            return startMilliOfDay <= t && t < endMilliOfDay;
        }
    }
}

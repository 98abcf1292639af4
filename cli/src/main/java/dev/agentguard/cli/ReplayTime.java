package dev.agentguard.cli;

import dev.agentguard.core.common.Ticker;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * Recorded time for a replay: the guard's ticker and wall clock both read the time of the record being replayed,
 * so windows, cooldowns and calendar budgets see the run as it happened. Never goes back: a record older than the
 * one before it (two threads of a session) is replayed at the later time.
 */
final class ReplayTime extends Clock implements Ticker {

    private long millis = Long.MIN_VALUE;
    private long origin = Long.MIN_VALUE;

    /** @param recordMillis the time of the next record, epoch milliseconds */
    void moveTo(long recordMillis) {
        if (recordMillis == Long.MIN_VALUE) {
            return;
        }
        if (origin == Long.MIN_VALUE) {
            origin = recordMillis;
            millis = recordMillis;
        }
        millis = Math.max(millis, recordMillis);
    }

    /** @return true once a time was set */
    boolean started() {
        return origin != Long.MIN_VALUE;
    }

    @Override
    public long read() {
        return origin == Long.MIN_VALUE ? 0 : (millis - origin) * 1_000_000L;
    }

    @Override
    public long millis() {
        return millis == Long.MIN_VALUE ? 0 : millis;
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochMilli(millis());
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        if (zone.equals(ZoneOffset.UTC)) {
            return this;
        }
        throw new UnsupportedOperationException("replay time is UTC");
    }
}

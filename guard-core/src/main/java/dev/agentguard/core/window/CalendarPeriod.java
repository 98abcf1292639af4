package dev.agentguard.core.window;

/** A calendar period that a {@link WindowSpec#calendar calendar window} resets at, in its time zone. */
public enum CalendarPeriod {
    /** From midnight to midnight. */
    DAY,
    /** From Monday 00:00 to the next Monday 00:00 (ISO-8601 weeks). */
    WEEK,
    /** From the first of the month 00:00 to the first of the next month 00:00. */
    MONTH
}

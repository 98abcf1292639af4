package dev.agentguard.cli;

import dev.agentguard.core.common.Money;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** Formatting shared by the report's formats: money, times, durations, counts. Never floating point for money. */
final class ReportText {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    private ReportText() {
    }

    /** @return e.g. {@code $0.0125} (exact, trailing zeros stripped to two places) */
    static String usd(long nanos) {
        return "$" + Money.format(nanos);
    }

    /** @return ISO-8601 UTC as the audit file writes it, or null */
    static String iso(long millis) {
        return millis == Long.MIN_VALUE || millis == Long.MAX_VALUE ? null : Instant.ofEpochMilli(millis).toString();
    }

    /** @return e.g. {@code 2026-03-02 09:00:00Z}, or a dash */
    static String time(long millis) {
        return millis == Long.MIN_VALUE || millis == Long.MAX_VALUE ? "-" : TIME.format(Instant.ofEpochMilli(millis));
    }

    /** @return e.g. {@code 1,234} */
    static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    /** @return milliseconds as {@code 850 ms} or {@code 12.4 s}, or a dash when unknown */
    static String ms(long ms) {
        if (ms < 0) {
            return "-";
        }
        if (ms < 10_000) {
            return count(ms) + " ms";
        }
        return String.format(Locale.ROOT, "%d.%d s", ms / 1000, ms % 1000 / 100);
    }

    /** @return a bucket width as {@code 5 s}, {@code 15 min}, {@code 3 h}, {@code 7 d} */
    static String width(long millis) {
        if (millis < 60_000) {
            return millis / 1000 + " s";
        }
        if (millis >= 86_400_000 && millis % 86_400_000 == 0) {
            return millis / 86_400_000 + " d";
        }
        long minutes = millis / 60_000;
        if (minutes < 60) {
            return minutes + " min";
        }
        long h = minutes / 60;
        long m = minutes % 60;
        return h + " h" + (m == 0 ? "" : " " + m + " min");
    }
}

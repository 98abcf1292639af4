package dev.agentguard.core;

import java.time.Duration;
import java.util.Objects;

/**
 * What a budget does to a call that would take it past its limit: {@code block} the call, {@code suspend} its
 * scope for a while, or only {@code warn}. Immutable.
 */
public final class OnExceed {

    /** The kinds of response. */
    public enum Kind {
        /** Refuse the call. */
        BLOCK,
        /** Refuse the call and every call of the same scope key until the suspension ends. */
        SUSPEND,
        /** Let the call through and record a warning; the limit is soft. */
        WARN
    }

    /** The longest suspension: about ten years, far from where millisecond arithmetic overflows. */
    public static final Duration MAX_SUSPENSION = Duration.ofDays(3660);

    private static final OnExceed BLOCK = new OnExceed(Kind.BLOCK, null);
    private static final OnExceed WARN = new OnExceed(Kind.WARN, null);

    private final Kind kind;
    private final Duration suspension;

    private OnExceed(Kind kind, Duration suspension) {
        this.kind = kind;
        this.suspension = suspension;
    }

    /** @return refuse the call (the default) */
    public static OnExceed block() {
        return BLOCK;
    }

    /** @return let the call through with a warning */
    public static OnExceed warn() {
        return WARN;
    }

    /**
     * @param duration how long the scope stays refused
     * @return refuse the call and suspend its scope
     * @throws IllegalArgumentException if the duration is not positive or longer than {@link #MAX_SUSPENSION}
     */
    public static OnExceed suspend(Duration duration) {
        Objects.requireNonNull(duration, "duration");
        if (duration.isZero() || duration.isNegative()) {
            throw new IllegalArgumentException("suspension must be positive, was " + duration);
        }
        if (duration.compareTo(MAX_SUSPENSION) > 0) {
            throw new IllegalArgumentException("suspension must be at most 3660d, was " + duration);
        }
        return new OnExceed(Kind.SUSPEND, duration);
    }

    /** @return the kind of response */
    public Kind kind() {
        return kind;
    }

    /** @return how long a suspension lasts; null unless {@link Kind#SUSPEND} */
    public Duration suspension() {
        return suspension;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof OnExceed && ((OnExceed) o).kind == kind
                && Objects.equals(((OnExceed) o).suspension, suspension);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, suspension);
    }

    /** @return the policy form: {@code block}, {@code warn} or {@code suspend:PT10M} */
    @Override
    public String toString() {
        return kind == Kind.SUSPEND ? "suspend:" + suspension : kind.name().toLowerCase(java.util.Locale.ROOT);
    }
}

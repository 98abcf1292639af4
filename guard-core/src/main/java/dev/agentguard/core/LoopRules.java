package dev.agentguard.core;

import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Loop blocking: an agent that repeats itself is warned, then refused. Built by {@link #builder()}; immutable.
 *
 * <p>The patterns, each with a warn and a block threshold and a stable rule id:
 * <ul>
 *   <li>{@code loops.identicalToolCalls}: the same tool with the same arguments, consecutively. Arguments are
 *       compared in canonical JSON form (key order, whitespace and number formatting do not matter); arguments that
 *       are not JSON compare as text. The count includes the incoming call.</li>
 *   <li>{@code loops.alternatingToolCalls}: a short cycle of two to {@value #MAX_CYCLE} distinct calls repeating
 *       (A,B,A,B,... or A,B,C,A,B,C,...). The count is the length of the repeating run, incoming call included.</li>
 *   <li>{@code loops.repeatedToolError}: the same call having failed with the same error this many times.</li>
 *   <li>{@code loops.repeatedModelRequest}: the same model request (same messages, same tools) sent again and
 *       again, consecutively, incoming included.</li>
 * </ul>
 * At a warn threshold the call goes ahead with a {@code warn}. At a block threshold a tool call is refused with
 * {@code onLoop}: {@code feedback} (the model is told what was refused and what to do instead) and, if the model
 * insists past the threshold, {@code block}; or {@code block} at once. A model call at its block threshold is
 * blocked. {@link #exempt()} tools (polling tools such as {@code wait_for_job}) are never counted. A new turn starts
 * a new run.
 */
public final class LoopRules {

    /** The longest cycle that {@code alternatingToolCalls} looks for. */
    public static final int MAX_CYCLE = 4;

    /** What a loop at its block threshold does to a tool call. */
    public enum OnLoop {
        /** Refuse the call and tell the model why; block if it insists. */
        FEEDBACK,
        /** Refuse the call with an exception. */
        BLOCK
    }

    /** A warn and a block threshold; 0 means none. */
    public static final class Threshold {
        /** No thresholds: the pattern is not checked. */
        public static final Threshold NONE = new Threshold(0, 0);

        private final int warnAt;
        private final int blockAt;

        private Threshold(int warnAt, int blockAt) {
            this.warnAt = warnAt;
            this.blockAt = blockAt;
        }

        /**
         * @param warnAt the count at which to warn, or 0
         * @param blockAt the count at which to refuse, or 0
         * @return the thresholds
         * @throws IllegalArgumentException if a value is negative, below 2, or warnAt is not below blockAt
         */
        public static Threshold of(int warnAt, int blockAt) {
            if (warnAt < 0 || blockAt < 0) {
                throw new IllegalArgumentException("thresholds must be >= 0, were warnAt=" + warnAt + ", blockAt=" + blockAt);
            }
            if (warnAt == 1 || blockAt == 1) {
                throw new IllegalArgumentException("a repetition needs at least 2 occurrences, was "
                        + (warnAt == 1 ? "warnAt=1" : "blockAt=1"));
            }
            if (warnAt > 0 && blockAt > 0 && warnAt >= blockAt) {
                throw new IllegalArgumentException("warnAt must be below blockAt, were warnAt=" + warnAt
                        + ", blockAt=" + blockAt);
            }
            return warnAt == 0 && blockAt == 0 ? NONE : new Threshold(warnAt, blockAt);
        }

        /** @param blockAt the count at which to refuse @return the threshold */
        public static Threshold blockAt(int blockAt) {
            return of(0, blockAt);
        }

        /** @return the warn threshold, or 0 */
        public int warnAt() {
            return warnAt;
        }

        /** @return the block threshold, or 0 */
        public int blockAt() {
            return blockAt;
        }

        /** @return true if neither threshold is set */
        public boolean isNone() {
            return warnAt == 0 && blockAt == 0;
        }

        /** @return the larger threshold: how much history this pattern needs */
        int reach() {
            return Math.max(warnAt, blockAt);
        }

        @Override
        public String toString() {
            return "{warnAt: " + warnAt + ", blockAt: " + blockAt + "}";
        }
    }

    /** No loop rules. */
    public static final LoopRules NONE = builder().build();

    private final Threshold identicalToolCalls;
    private final Threshold alternatingToolCalls;
    private final Threshold repeatedToolError;
    private final Threshold repeatedModelRequest;
    private final OnLoop onLoop;
    private final Set<String> exempt;

    private LoopRules(Builder b) {
        this.identicalToolCalls = b.identicalToolCalls;
        this.alternatingToolCalls = b.alternatingToolCalls;
        this.repeatedToolError = b.repeatedToolError;
        this.repeatedModelRequest = b.repeatedModelRequest;
        this.onLoop = b.onLoop;
        this.exempt = Collections.unmodifiableSet(new LinkedHashSet<>(b.exempt));
    }

    /** @return a builder with no loop rules, {@code onLoop: feedback} */
    public static Builder builder() {
        return new Builder();
    }

    /** @return thresholds for identical consecutive tool calls */
    public Threshold identicalToolCalls() {
        return identicalToolCalls;
    }

    /** @return thresholds for short cycles of tool calls */
    public Threshold alternatingToolCalls() {
        return alternatingToolCalls;
    }

    /** @return thresholds for the same call failing the same way */
    public Threshold repeatedToolError() {
        return repeatedToolError;
    }

    /** @return thresholds for the same model request sent again */
    public Threshold repeatedModelRequest() {
        return repeatedModelRequest;
    }

    /** @return what a tool loop at its block threshold does */
    public OnLoop onLoop() {
        return onLoop;
    }

    /** @return tools that loop rules ignore */
    public Set<String> exempt() {
        return exempt;
    }

    /** @return how many recent tool calls the rules need to see */
    int toolHistory() {
        return Math.max(identicalToolCalls.reach(), alternatingToolCalls.reach() + 1);
    }

    /** @return true if any tool-call pattern is checked */
    boolean checksTools() {
        return !identicalToolCalls.isNone() || !alternatingToolCalls.isNone() || !repeatedToolError.isNone();
    }

    @Override
    public String toString() {
        return "LoopRules{identical=" + identicalToolCalls + ", alternating=" + alternatingToolCalls
                + ", repeatedError=" + repeatedToolError + ", repeatedRequest=" + repeatedModelRequest
                + ", onLoop=" + onLoop + ", exempt=" + exempt + '}';
    }

    /** Builds {@link LoopRules}. */
    public static final class Builder {
        private Threshold identicalToolCalls = Threshold.NONE;
        private Threshold alternatingToolCalls = Threshold.NONE;
        private Threshold repeatedToolError = Threshold.NONE;
        private Threshold repeatedModelRequest = Threshold.NONE;
        private OnLoop onLoop = OnLoop.FEEDBACK;
        private final Set<String> exempt = new LinkedHashSet<>();

        private Builder() {
        }

        /** @param t thresholds for identical consecutive tool calls @return this */
        public Builder identicalToolCalls(Threshold t) {
            this.identicalToolCalls = t;
            return this;
        }

        /** @param t thresholds for short cycles of tool calls @return this */
        public Builder alternatingToolCalls(Threshold t) {
            this.alternatingToolCalls = t;
            return this;
        }

        /** @param t thresholds for the same call failing the same way @return this */
        public Builder repeatedToolError(Threshold t) {
            this.repeatedToolError = t;
            return this;
        }

        /** @param t thresholds for the same model request sent again @return this */
        public Builder repeatedModelRequest(Threshold t) {
            this.repeatedModelRequest = t;
            return this;
        }

        /** @param onLoop feedback (default) or block @return this */
        public Builder onLoop(OnLoop onLoop) {
            this.onLoop = onLoop;
            return this;
        }

        /** @param tools tools that loop rules ignore @return this */
        public Builder exempt(String... tools) {
            for (String t : tools) {
                if (t == null || t.isBlank()) {
                    throw new IllegalArgumentException("loops.exempt: tool names must not be blank");
                }
                exempt.add(t);
            }
            return this;
        }

        /**
         * @return the rules
         * @throws IllegalArgumentException naming the property and the bad value
         */
        public LoopRules build() {
            if (identicalToolCalls == null || alternatingToolCalls == null || repeatedToolError == null
                    || repeatedModelRequest == null) {
                throw new IllegalArgumentException("loops: thresholds must not be null (use Threshold.NONE)");
            }
            if (onLoop == null) {
                throw new IllegalArgumentException("loops.onLoop is required (feedback or block)");
            }
            if (alternatingToolCalls.reach() > 0 && alternatingToolCalls.reach() < 4) {
                throw new IllegalArgumentException("loops.alternatingToolCalls thresholds must be >= 4 (A,B,A,B),"
                        + " were " + alternatingToolCalls);
            }
            if (identicalToolCalls.reach() > 1_000 || alternatingToolCalls.reach() > 1_000
                    || repeatedModelRequest.reach() > 1_000 || repeatedToolError.reach() > 1_000) {
                throw new IllegalArgumentException("loops: thresholds must be <= 1000");
            }
            return new LoopRules(this);
        }
    }
}

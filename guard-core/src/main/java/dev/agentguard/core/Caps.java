package dev.agentguard.core;

import dev.agentguard.core.common.Action;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Iteration caps: how many model and tool calls a session and a turn may make, per-tool caps, and the largest
 * prompt. A cap of 0 means none. Built by {@link #builder()}; immutable.
 *
 * <p>A turn is one user message (one AI-service invocation): the {@link GuardScope#turn()} of the call. A new turn
 * resets the per-turn counts. Only calls that go ahead are counted.
 *
 * <p>Rule ids: {@code caps.modelCallsPerSession}, {@code caps.modelCallsPerTurn}, {@code caps.toolCallsPerSession},
 * {@code caps.toolCallsPerTurn}, {@code caps.perTool.<tool>}, {@code caps.promptTokens}. A tool call past a session
 * or turn cap is blocked. A model call past its session or turn cap is blocked, or, with
 * {@link OnCap#FINAL_ANSWER}, goes out once more without tools, asked for a final answer
 * ({@link Action#FINAL_ANSWER}), and the one after is blocked. A tool past its own cap is answered by its
 * {@link OnCap}: feedback (the model is told, and may carry on with other tools; if it insists, the next call is
 * blocked), block, or final answer (feedback, then the next model call goes out without tools). Refused calls do
 * not count toward a cap but do count toward loop detection. A prompt past {@code promptTokens} is truncated to
 * fit or blocked, as configured.
 */
public final class Caps {

    /** What to do with a prompt over {@link #promptTokensMax()}. */
    public enum PromptAction {
        /** Shorten the prompt to the maximum (the adapter drops the oldest messages). */
        TRUNCATE,
        /** Refuse the call. */
        BLOCK
    }

    /** What a call past a cap gets. */
    public enum OnCap {
        /** A tool call is refused and the model told why; if it insists, its next call is blocked. */
        FEEDBACK("feedback"),
        /** The call is refused. */
        BLOCK("block"),
        /** The model is asked for a final answer: the next model call goes out without tools. */
        FINAL_ANSWER("finalAnswer");

        private final String id;

        OnCap(String id) {
            this.id = id;
        }

        /** @return the policy word: {@code feedback}, {@code block} or {@code finalAnswer} */
        public String id() {
            return id;
        }
    }

    /** No caps at all. */
    public static final Caps NONE = builder().build();

    private final int modelCallsPerSession;
    private final int modelCallsPerTurn;
    private final int toolCallsPerSession;
    private final int toolCallsPerTurn;
    private final Map<String, Integer> perTool;
    private final Map<String, OnCap> perToolOnExceed;
    private final OnCap modelCallsOnExceed;
    private final long promptTokensMax;
    private final PromptAction promptAction;

    private Caps(Builder b) {
        this.modelCallsPerSession = b.modelCallsPerSession;
        this.modelCallsPerTurn = b.modelCallsPerTurn;
        this.toolCallsPerSession = b.toolCallsPerSession;
        this.toolCallsPerTurn = b.toolCallsPerTurn;
        this.perTool = Collections.unmodifiableMap(new LinkedHashMap<>(b.perTool));
        this.perToolOnExceed = Collections.unmodifiableMap(new LinkedHashMap<>(b.perToolOnExceed));
        this.modelCallsOnExceed = b.modelCallsOnExceed;
        this.promptTokensMax = b.promptTokensMax;
        this.promptAction = b.promptAction;
    }

    /** @return a builder with no caps */
    public static Builder builder() {
        return new Builder();
    }

    /** @return model calls per session, or 0 for no cap */
    public int modelCallsPerSession() {
        return modelCallsPerSession;
    }

    /** @return what a model call past its session or turn cap gets: {@code BLOCK} or {@code FINAL_ANSWER} */
    public OnCap modelCallsOnExceed() {
        return modelCallsOnExceed;
    }

    /**
     * @param tool a tool with a cap in {@link #perTool()}
     * @return what a call of it past its cap gets; {@link OnCap#FEEDBACK} unless set
     */
    public OnCap perToolOnExceed(String tool) {
        return perToolOnExceed.getOrDefault(tool, OnCap.FEEDBACK);
    }

    /** @return model calls per turn, or 0 */
    public int modelCallsPerTurn() {
        return modelCallsPerTurn;
    }

    /** @return tool calls per session, or 0 */
    public int toolCallsPerSession() {
        return toolCallsPerSession;
    }

    /** @return tool calls per turn, or 0 */
    public int toolCallsPerTurn() {
        return toolCallsPerTurn;
    }

    /** @return calls per session of each capped tool */
    public Map<String, Integer> perTool() {
        return perTool;
    }

    /** @return the largest prompt in tokens, or 0 */
    public long promptTokensMax() {
        return promptTokensMax;
    }

    /** @return what happens to a larger prompt */
    public PromptAction promptAction() {
        return promptAction;
    }

    /** @return true if any cap counts calls (so that session state must be kept) */
    boolean countsCalls() {
        return modelCallsPerSession > 0 || modelCallsPerTurn > 0 || toolCallsPerSession > 0 || toolCallsPerTurn > 0
                || !perTool.isEmpty();
    }

    @Override
    public String toString() {
        return "Caps{modelCallsPerSession=" + modelCallsPerSession + ", modelCallsPerTurn=" + modelCallsPerTurn
                + ", toolCallsPerSession=" + toolCallsPerSession + ", toolCallsPerTurn=" + toolCallsPerTurn
                + ", perTool=" + perTool + ", promptTokens=" + promptTokensMax + " " + promptAction + '}';
    }

    /** Builds {@link Caps}. */
    public static final class Builder {
        private int modelCallsPerSession;
        private int modelCallsPerTurn;
        private int toolCallsPerSession;
        private int toolCallsPerTurn;
        private final Map<String, Integer> perTool = new LinkedHashMap<>();
        private final Map<String, OnCap> perToolOnExceed = new LinkedHashMap<>();
        private OnCap modelCallsOnExceed = OnCap.BLOCK;
        private long promptTokensMax;
        private PromptAction promptAction = PromptAction.TRUNCATE;

        private Builder() {
        }

        /** @param n model calls per session, 0 for none @return this */
        public Builder modelCallsPerSession(int n) {
            this.modelCallsPerSession = n;
            return this;
        }

        /** @param n model calls per turn, 0 for none @return this */
        public Builder modelCallsPerTurn(int n) {
            this.modelCallsPerTurn = n;
            return this;
        }

        /** @param n tool calls per session, 0 for none @return this */
        public Builder toolCallsPerSession(int n) {
            this.toolCallsPerSession = n;
            return this;
        }

        /** @param n tool calls per turn, 0 for none @return this */
        public Builder toolCallsPerTurn(int n) {
            this.toolCallsPerTurn = n;
            return this;
        }

        /**
         * @param tool a tool name
         * @param n its calls per session
         * @return this
         */
        public Builder perTool(String tool, int n) {
            if (tool == null || tool.isBlank()) {
                throw new IllegalArgumentException("caps.perTool: a tool name is required");
            }
            this.perTool.put(tool, n);
            return this;
        }

        /**
         * @param tool a tool name
         * @param n its calls per session
         * @param onExceed what a call past it gets
         * @return this
         */
        public Builder perTool(String tool, int n, OnCap onExceed) {
            perTool(tool, n);
            this.perToolOnExceed.put(tool, onExceed);
            return this;
        }

        /**
         * @param onExceed what a model call past {@code modelCallsPerSession} or {@code modelCallsPerTurn} gets:
         *     {@link OnCap#BLOCK} (default) or {@link OnCap#FINAL_ANSWER}
         * @return this
         */
        public Builder modelCallsOnExceed(OnCap onExceed) {
            this.modelCallsOnExceed = onExceed;
            return this;
        }

        /**
         * @param max the largest prompt in tokens, 0 for none
         * @param action what happens to a larger one
         * @return this
         */
        public Builder promptTokens(long max, PromptAction action) {
            this.promptTokensMax = max;
            this.promptAction = action;
            return this;
        }

        /**
         * @return the caps
         * @throws IllegalArgumentException naming the property and the bad value
         */
        public Caps build() {
            check("caps.modelCallsPerSession", modelCallsPerSession);
            check("caps.modelCallsPerTurn", modelCallsPerTurn);
            check("caps.toolCallsPerSession", toolCallsPerSession);
            check("caps.toolCallsPerTurn", toolCallsPerTurn);
            perTool.forEach((tool, n) -> {
                if (n == null || n <= 0) {
                    throw new IllegalArgumentException("caps.perTool." + tool + " must be > 0, was " + n);
                }
            });
            perToolOnExceed.forEach((tool, on) -> {
                if (on == null) {
                    throw new IllegalArgumentException("caps.perTool." + tool + ".onExceed is required (feedback,"
                            + " block or finalAnswer)");
                }
            });
            if (modelCallsOnExceed != OnCap.BLOCK && modelCallsOnExceed != OnCap.FINAL_ANSWER) {
                throw new IllegalArgumentException("caps.modelCallsOnExceed must be block or finalAnswer, was "
                        + (modelCallsOnExceed == null ? "null" : modelCallsOnExceed.id()));
            }
            if (promptTokensMax < 0) {
                throw new IllegalArgumentException("caps.promptTokens.max must be >= 0, was " + promptTokensMax);
            }
            if (promptAction == null) {
                throw new IllegalArgumentException("caps.promptTokens.onExceed is required (truncate or block)");
            }
            return new Caps(this);
        }

        private static void check(String property, int n) {
            if (n < 0) {
                throw new IllegalArgumentException(property + " must be >= 0 (0 for no cap), was " + n);
            }
        }
    }
}

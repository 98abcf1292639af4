package dev.agentguard.core.common;

/**
 * Token usage of one model call in canonical, disjoint buckets.
 *
 * <p>Every billed token is in exactly one bucket:
 * <ul>
 *   <li>{@link #input()}: prompt tokens that were neither read from nor written to a cache;</li>
 *   <li>{@link #cacheRead()}: prompt tokens served from the provider's prompt cache;</li>
 *   <li>{@link #cacheWrite()}: prompt tokens written to the cache (Anthropic's cache creation);</li>
 *   <li>{@link #output()}: generated tokens other than reasoning;</li>
 *   <li>{@link #reasoning()}: reasoning / thinking tokens (OpenAI {@code reasoning_tokens}, Gemini
 *       {@code thoughtsTokenCount}, Anthropic thinking), billed as output unless the model has its own rate.</li>
 * </ul>
 * Providers report overlapping counts (OpenAI's {@code prompt_tokens} includes cached tokens and its
 * {@code completion_tokens} includes reasoning; Anthropic's {@code input_tokens} excludes cache reads and writes);
 * the adapter maps each provider once into these buckets.
 *
 * <p>A count the provider did not report is {@link #UNKNOWN} ({@code -1}), never silently 0. Use
 * {@link #isKnown(long)} or the {@code ...OrZero()} accessors when a sum is needed.
 */
public final class Usage {

    /** The value of a count that the provider did not report. */
    public static final long UNKNOWN = -1;

    /** Usage with every count unknown. */
    public static final Usage NONE = new Usage(UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN);

    private final long input;
    private final long cacheRead;
    private final long cacheWrite;
    private final long output;
    private final long reasoning;

    private Usage(long input, long cacheRead, long cacheWrite, long output, long reasoning) {
        this.input = input;
        this.cacheRead = cacheRead;
        this.cacheWrite = cacheWrite;
        this.output = output;
        this.reasoning = reasoning;
    }

    /**
     * Creates a usage from disjoint counts; pass {@link #UNKNOWN} for a count that was not reported.
     *
     * @param input uncached input tokens
     * @param cacheRead tokens read from the prompt cache
     * @param cacheWrite tokens written to the prompt cache
     * @param output generated tokens other than reasoning
     * @param reasoning reasoning tokens
     * @return the usage
     * @throws IllegalArgumentException if a count is below {@code -1}
     */
    public static Usage of(long input, long cacheRead, long cacheWrite, long output, long reasoning) {
        check("input", input);
        check("cacheRead", cacheRead);
        check("cacheWrite", cacheWrite);
        check("output", output);
        check("reasoning", reasoning);
        return new Usage(input, cacheRead, cacheWrite, output, reasoning);
    }

    /**
     * Creates a usage of plain input and output tokens (no cache, no reasoning reported).
     *
     * @param input input tokens
     * @param output output tokens
     * @return the usage; cache and reasoning counts are 0
     */
    public static Usage of(long input, long output) {
        return of(input, 0, 0, output, 0);
    }

    private static void check(String name, long value) {
        if (value < UNKNOWN) {
            throw new IllegalArgumentException("usage." + name + " must be >= 0 or UNKNOWN (-1), was " + value);
        }
    }

    /**
     * @param count a count from this class
     * @return true if the count was reported
     */
    public static boolean isKnown(long count) {
        return count >= 0;
    }

    /** @return uncached input tokens, or {@link #UNKNOWN} */
    public long input() {
        return input;
    }

    /** @return tokens read from the prompt cache, or {@link #UNKNOWN} */
    public long cacheRead() {
        return cacheRead;
    }

    /** @return tokens written to the prompt cache, or {@link #UNKNOWN} */
    public long cacheWrite() {
        return cacheWrite;
    }

    /** @return generated tokens other than reasoning, or {@link #UNKNOWN} */
    public long output() {
        return output;
    }

    /** @return reasoning tokens, or {@link #UNKNOWN} */
    public long reasoning() {
        return reasoning;
    }

    /** @return all prompt-side tokens that were reported (input + cache read + cache write) */
    public long promptTokens() {
        return orZero(input) + orZero(cacheRead) + orZero(cacheWrite);
    }

    /** @return all generated tokens that were reported (output + reasoning) */
    public long completionTokens() {
        return orZero(output) + orZero(reasoning);
    }

    /** @return every reported token, unknown counts taken as 0 */
    public long totalTokens() {
        return promptTokens() + completionTokens();
    }

    /** @return true if the provider reported at least one count */
    public boolean hasAnyCount() {
        return input >= 0 || cacheRead >= 0 || cacheWrite >= 0 || output >= 0 || reasoning >= 0;
    }

    /** @return true if both the input and the output count were reported (the two that every provider bills) */
    public boolean isComplete() {
        return input >= 0 && output >= 0;
    }

    private static long orZero(long count) {
        return count < 0 ? 0 : count;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Usage)) {
            return false;
        }
        Usage u = (Usage) o;
        return input == u.input && cacheRead == u.cacheRead && cacheWrite == u.cacheWrite
                && output == u.output && reasoning == u.reasoning;
    }

    @Override
    public int hashCode() {
        long h = input;
        h = 31 * h + cacheRead;
        h = 31 * h + cacheWrite;
        h = 31 * h + output;
        h = 31 * h + reasoning;
        return Long.hashCode(h);
    }

    @Override
    public String toString() {
        return "Usage{input=" + text(input) + ", cacheRead=" + text(cacheRead) + ", cacheWrite=" + text(cacheWrite)
                + ", output=" + text(output) + ", reasoning=" + text(reasoning) + '}';
    }

    private static String text(long count) {
        return count < 0 ? "unknown" : Long.toString(count);
    }
}

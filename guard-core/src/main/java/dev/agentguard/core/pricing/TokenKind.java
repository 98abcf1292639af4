package dev.agentguard.core.pricing;

/**
 * The token buckets a {@link ModelPrice} has a rate for; they are the buckets of {@link dev.agentguard.core.common.Usage}.
 */
public enum TokenKind {
    /** Prompt tokens neither read from nor written to a cache (genai-prices {@code input_mtok}). */
    INPUT("input"),
    /** Prompt tokens read from the cache ({@code cache_read_mtok}); without its own rate, billed as {@link #INPUT}. */
    CACHE_READ("cacheRead"),
    /** Prompt tokens written to the cache ({@code cache_write_mtok}); without its own rate, billed as {@link #INPUT}. */
    CACHE_WRITE("cacheWrite"),
    /** Generated tokens other than reasoning ({@code output_mtok}); without a rate, not billed. */
    OUTPUT("output"),
    /** Reasoning tokens ({@code output_reasoning_mtok}); without its own rate, billed as {@link #OUTPUT}. */
    REASONING("reasoning");

    private final String property;

    TokenKind(String property) {
        this.property = property;
    }

    /** @return the camelCase name used for this rate in builders, policies and error messages, e.g. {@code cacheRead} */
    public String property() {
        return property;
    }
}

package dev.agentguard.langchain4j;

import dev.agentguard.core.common.Usage;
import dev.langchain4j.model.output.TokenUsage;

/**
 * Maps a LangChain4j {@link TokenUsage}, whatever provider reported it, onto the guard's canonical, disjoint
 * {@link Usage} buckets, with the semantics of the genai-prices extractors that the price catalog comes from.
 *
 * <table>
 *   <caption>What each provider's counts mean and where they go</caption>
 *   <tr><th>LangChain4j type</th><th>input</th><th>cacheRead</th><th>cacheWrite</th><th>output</th>
 *       <th>reasoning</th></tr>
 *   <tr><td>{@code OpenAiTokenUsage} (chat completions; also Azure, Groq and other OpenAI-compatible servers)</td>
 *       <td>{@code prompt_tokens - cached_tokens} ({@code prompt_tokens} includes the cached ones)</td>
 *       <td>{@code cached_tokens}</td><td>unknown (not carried by LangChain4j)</td>
 *       <td>{@code completion_tokens - reasoning_tokens}</td><td>{@code reasoning_tokens}</td></tr>
 *   <tr><td>{@code AnthropicTokenUsage}</td><td>{@code input_tokens} (already excludes cache reads and
 *       writes)</td><td>{@code cache_read_input_tokens}</td><td>{@code cache_creation_input_tokens}</td>
 *       <td>{@code output_tokens} (thinking included, billed as output)</td><td>unknown</td></tr>
 *   <tr><td>{@code GoogleAiGeminiTokenUsage}</td><td>{@code promptTokenCount - cachedContentTokenCount}</td>
 *       <td>{@code cachedContentTokenCount}</td><td>unknown</td><td>{@code candidatesTokenCount} (excludes
 *       thoughts)</td><td>{@code thoughtsTokenCount} (billed at the output rate)</td></tr>
 *   <tr><td>{@code BedrockTokenUsage} (Converse)</td><td>{@code inputTokens} (excludes cache)</td>
 *       <td>{@code cacheReadInputTokens}</td><td>{@code cacheWriteInputTokens}</td><td>{@code outputTokens}</td>
 *       <td>unknown</td></tr>
 *   <tr><td>plain {@code TokenUsage} (Ollama, Mistral, anything else)</td><td>input count</td><td>unknown</td>
 *       <td>unknown</td><td>output count</td><td>unknown</td></tr>
 * </table>
 *
 * <p><b>Derived counts.</b> When a provider leaves out one of the counts that make up the total it reports, that
 * count is the total less the others: Gemini omits {@code candidatesTokenCount} when the answer is empty (a
 * thinking model that spent its cap on thoughts), so {@code promptTokenCount} 15, {@code thoughtsTokenCount} 2,
 * {@code totalTokenCount} 17 is 0 output tokens, not an unknown count charged at the output cap. This holds where
 * the total is the provider's own: OpenAI's {@code total_tokens} ({@code prompt_tokens + completion_tokens}),
 * Gemini's {@code totalTokenCount} (prompt + candidates + thoughts; a missing thoughts count is taken as 0, as
 * Gemini leaves zero counts out, and the tool-use prompt count that LangChain4j drops lands in the derived count),
 * and a plain {@code TokenUsage}'s total only when it exceeds the count it has: {@code new TokenUsage(input,
 * output)} sets the total to the sum of the two, a missing one counted as 0, so a total equal to the known count
 * says nothing. Anthropic's and Bedrock's LangChain4j usages always compute their total that way, so nothing is
 * derived for them. A count that cannot be derived (two counts missing, parts larger than the total) stays unknown.
 *
 * <p>A count the provider did not report ({@code null}) and that cannot be derived is {@link Usage#UNKNOWN}, never
 * 0: on a successful call the guard then charges the reservation's estimate for it. A subtraction whose subtrahend
 * is unknown is taken as subtracting 0 (a missing {@code cached_tokens} means nothing was cached).
 *
 * <p>Provider modules are optional: the provider-specific types are only looked at when their module is on the
 * class path. Counts that LangChain4j does not carry through (Gemini's {@code toolUsePromptTokenCount}, OpenAI's
 * {@code cache_write_tokens}, Anthropic's one-hour cache writes) cannot be billed.
 */
public final class TokenUsageNormalizer {

    private TokenUsageNormalizer() {
    }

    /**
     * @param tokenUsage the usage a response reported, or null
     * @return the canonical usage; {@link Usage#NONE} (all unknown) for null
     */
    public static Usage normalize(TokenUsage tokenUsage) {
        if (tokenUsage == null) {
            return Usage.NONE;
        }
        Usage specific = null;
        if (Providers.OPENAI) {
            specific = OpenAiSupport.usage(tokenUsage);
        }
        if (specific == null && Providers.ANTHROPIC) {
            specific = AnthropicSupport.usage(tokenUsage);
        }
        if (specific == null && Providers.GEMINI) {
            specific = GeminiSupport.usage(tokenUsage);
        }
        if (specific == null && Providers.BEDROCK) {
            specific = BedrockSupport.usage(tokenUsage);
        }
        if (specific != null) {
            return specific;
        }
        Integer input = tokenUsage.inputTokenCount();
        Integer output = tokenUsage.outputTokenCount();
        Integer total = tokenUsage.totalTokenCount();
        return Usage.of(count(fromPlainTotal(input, total, output)), Usage.UNKNOWN, Usage.UNKNOWN,
                count(fromPlainTotal(output, total, input)), Usage.UNKNOWN);
    }

    /**
     * @return the count if reported; else, from a total the provider reported, that total less the other counts
     *     that make it up; else null. Null too when another part is missing or the parts exceed the total.
     */
    static Integer orDerived(Integer count, Integer total, Integer... otherParts) {
        if (count != null && count >= 0) {
            return count;
        }
        if (total == null || total < 0) {
            return null;
        }
        long rest = total;
        for (Integer part : otherParts) {
            if (part == null || part < 0) {
                return null;
            }
            rest -= part;
        }
        return rest < 0 ? null : (int) rest;
    }

    /**
     * A plain {@code TokenUsage}'s total may be LangChain4j's sum of its two counts, a missing one counted as 0:
     * a missing count derived as 0 from it says nothing, one above 0 can only come from the provider's total.
     */
    private static Integer fromPlainTotal(Integer count, Integer total, Integer other) {
        if (count != null && count >= 0) {
            return count; // the common case, before orDerived's varargs array is built: nothing allocated per call
        }
        Integer derived = orDerived(count, total, other);
        return count == null && derived != null && derived == 0 ? null : derived;
    }

    /** @return the count, or {@link Usage#UNKNOWN} for null; a negative count (never sent) is unknown too */
    static long count(Integer count) {
        return count == null || count < 0 ? Usage.UNKNOWN : count;
    }

    /** @return {@code total - part} for a total that includes the part; unknown when the total is */
    static long minus(Integer total, Integer part) {
        if (total == null || total < 0) {
            return Usage.UNKNOWN;
        }
        return Math.max(0, total - (part == null || part < 0 ? 0 : part));
    }
}

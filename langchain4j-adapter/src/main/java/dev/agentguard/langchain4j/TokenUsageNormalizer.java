package dev.agentguard.langchain4j;

import dev.agentguard.core.Usage;
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
 * <p>A count the provider did not report ({@code null}) is {@link Usage#UNKNOWN}, never 0: on a successful call
 * the guard then charges the reservation's estimate for it. A subtraction whose subtrahend is unknown is taken as
 * subtracting 0 (a missing {@code cached_tokens} means nothing was cached).
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
        return Usage.of(count(tokenUsage.inputTokenCount()), Usage.UNKNOWN, Usage.UNKNOWN,
                count(tokenUsage.outputTokenCount()), Usage.UNKNOWN);
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

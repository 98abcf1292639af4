package dev.agentguard.langchain4j;

import dev.agentguard.core.common.Usage;
import dev.langchain4j.model.anthropic.AnthropicChatRequestParameters;
import dev.langchain4j.model.anthropic.AnthropicTokenUsage;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.output.TokenUsage;

/**
 * Everything that names langchain4j-anthropic types. Loaded only when {@link Providers#ANTHROPIC} is true.
 */
final class AnthropicSupport {

    private AnthropicSupport() {
    }

    /** @return the canonical usage, or null if this is not an Anthropic usage */
    static Usage usage(TokenUsage tokenUsage) {
        if (!(tokenUsage instanceof AnthropicTokenUsage)) {
            return null;
        }
        AnthropicTokenUsage u = (AnthropicTokenUsage) tokenUsage;
        // input_tokens already excludes cache reads and writes; output_tokens includes thinking, billed as output
        return Usage.of(TokenUsageNormalizer.count(u.inputTokenCount()),
                TokenUsageNormalizer.count(u.cacheReadInputTokens()),
                TokenUsageNormalizer.count(u.cacheCreationInputTokens()),
                TokenUsageNormalizer.count(u.outputTokenCount()), Usage.UNKNOWN);
    }

    /**
     * Re-targets Anthropic parameters at a cheaper model: Claude 3 models before 3.7 reject extended thinking, so
     * the thinking type and budget are dropped for them.
     *
     * @return the new parameters, or null if these are not Anthropic parameters
     */
    static ChatRequestParameters retarget(ChatRequestParameters parameters, String model) {
        if (!(parameters instanceof AnthropicChatRequestParameters)) {
            return null;
        }
        AnthropicChatRequestParameters.Builder b = AnthropicChatRequestParameters.builder()
                .overrideWith(parameters).modelName(model);
        boolean thinks = !model.startsWith("claude-3-") || model.startsWith("claude-3-7");
        if (!thinks) {
            b.thinkingType(null).thinkingBudgetTokens(null);
        }
        return b.build();
    }
}

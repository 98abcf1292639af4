package dev.agentguard.langchain4j;

import dev.agentguard.core.common.Usage;
import dev.langchain4j.model.bedrock.BedrockTokenUsage;
import dev.langchain4j.model.output.TokenUsage;

/**
 * Everything that names langchain4j-bedrock types. Loaded only when {@link Providers#BEDROCK} is true.
 */
final class BedrockSupport {

    private BedrockSupport() {
    }

    /** @return the canonical usage, or null if this is not a Bedrock usage */
    static Usage usage(TokenUsage tokenUsage) {
        if (!(tokenUsage instanceof BedrockTokenUsage)) {
            return null;
        }
        BedrockTokenUsage u = (BedrockTokenUsage) tokenUsage;
        // Converse's inputTokens excludes the cache reads and writes, which it reports beside it
        return Usage.of(TokenUsageNormalizer.count(u.inputTokenCount()),
                TokenUsageNormalizer.count(u.cacheReadInputTokens()),
                TokenUsageNormalizer.count(u.cacheWriteInputTokens()),
                TokenUsageNormalizer.count(u.outputTokenCount()), Usage.UNKNOWN);
    }
}

package dev.agentguard.langchain4j;

import dev.agentguard.core.Usage;
import dev.langchain4j.model.googleai.GoogleAiGeminiTokenUsage;
import dev.langchain4j.model.output.TokenUsage;

/**
 * Everything that names langchain4j-google-ai-gemini types. Loaded only when {@link Providers#GEMINI} is true.
 */
final class GeminiSupport {

    private GeminiSupport() {
    }

    /** @return the canonical usage, or null if this is not a Gemini usage */
    static Usage usage(TokenUsage tokenUsage) {
        if (!(tokenUsage instanceof GoogleAiGeminiTokenUsage)) {
            return null;
        }
        GoogleAiGeminiTokenUsage u = (GoogleAiGeminiTokenUsage) tokenUsage;
        // promptTokenCount includes the cached content; candidatesTokenCount excludes the thoughts, which are
        // billed as output (at the output rate unless the model has a reasoning rate)
        return Usage.of(TokenUsageNormalizer.minus(u.inputTokenCount(), u.cachedContentTokenCount()),
                TokenUsageNormalizer.count(u.cachedContentTokenCount()), Usage.UNKNOWN,
                TokenUsageNormalizer.count(u.outputTokenCount()), TokenUsageNormalizer.count(u.thoughtsTokenCount()));
    }
}

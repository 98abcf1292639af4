package dev.agentguard.langchain4j;

import dev.agentguard.core.common.Usage;
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
        // totalTokenCount = prompt + candidates + thoughts: a count left out is the total less the others. Gemini
        // leaves zero counts out of its JSON, so a missing thoughts count is 0 here (were it not, the thoughts would
        // land in the derived count, billed at the same output rate).
        Integer thoughts = u.thoughtsTokenCount() == null ? Integer.valueOf(0) : u.thoughtsTokenCount();
        Integer prompt = TokenUsageNormalizer.orDerived(u.inputTokenCount(), u.totalTokenCount(),
                u.outputTokenCount(), thoughts);
        Integer candidates = TokenUsageNormalizer.orDerived(u.outputTokenCount(), u.totalTokenCount(),
                u.inputTokenCount(), thoughts);
        // promptTokenCount includes the cached content; candidatesTokenCount excludes the thoughts, which are
        // billed as output (at the output rate unless the model has a reasoning rate)
        return Usage.of(TokenUsageNormalizer.minus(prompt, u.cachedContentTokenCount()),
                TokenUsageNormalizer.count(u.cachedContentTokenCount()), Usage.UNKNOWN,
                TokenUsageNormalizer.count(candidates), TokenUsageNormalizer.count(u.thoughtsTokenCount()));
    }
}

package dev.agentguard.langchain4j;

import dev.agentguard.core.Usage;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.openai.OpenAiChatRequestParameters;
import dev.langchain4j.model.openai.OpenAiTokenUsage;
import dev.langchain4j.model.output.TokenUsage;
import java.util.regex.Pattern;

/**
 * Everything that names langchain4j-open-ai types. Loaded only when {@link Providers#OPENAI} is true.
 */
final class OpenAiSupport {

    /** Models that reason: they reject {@code max_tokens} and take {@code max_completion_tokens}. */
    private static final Pattern REASONING_MODEL = Pattern.compile("^(o\\d|gpt-5)");

    private OpenAiSupport() {
    }

    /** @return the canonical usage, or null if this is not an OpenAI usage */
    static Usage usage(TokenUsage tokenUsage) {
        if (!(tokenUsage instanceof OpenAiTokenUsage)) {
            return null;
        }
        OpenAiTokenUsage u = (OpenAiTokenUsage) tokenUsage;
        Integer cached = u.inputTokensDetails() == null ? null : u.inputTokensDetails().cachedTokens();
        Integer reasoning = u.outputTokensDetails() == null ? null : u.outputTokensDetails().reasoningTokens();
        // total_tokens = prompt_tokens + completion_tokens: one left out is the total less the other
        Integer prompt = TokenUsageNormalizer.orDerived(u.inputTokenCount(), u.totalTokenCount(), u.outputTokenCount());
        Integer completion = TokenUsageNormalizer.orDerived(u.outputTokenCount(), u.totalTokenCount(),
                u.inputTokenCount());
        // prompt_tokens includes the cached tokens, completion_tokens the reasoning ones
        return Usage.of(TokenUsageNormalizer.minus(prompt, cached), TokenUsageNormalizer.count(cached),
                Usage.UNKNOWN, TokenUsageNormalizer.minus(completion, reasoning),
                TokenUsageNormalizer.count(reasoning));
    }

    /** @return the request's {@code max_completion_tokens}, or null (also when these are not OpenAI parameters) */
    static Integer maxCompletionTokens(ChatRequestParameters parameters) {
        return parameters instanceof OpenAiChatRequestParameters
                ? ((OpenAiChatRequestParameters) parameters).maxCompletionTokens() : null;
    }

    /**
     * Re-targets OpenAI parameters at a cheaper model: a model that does not reason rejects
     * {@code reasoning_effort}, so it is dropped, and the output cap moves to the field the model accepts
     * ({@code max_completion_tokens} for reasoning models, which reject {@code max_tokens}).
     *
     * @return the new parameters, or null if these are not OpenAI parameters
     */
    static ChatRequestParameters retarget(ChatRequestParameters parameters, String model) {
        if (!(parameters instanceof OpenAiChatRequestParameters)) {
            return null;
        }
        OpenAiChatRequestParameters p = (OpenAiChatRequestParameters) parameters;
        OpenAiChatRequestParameters.Builder b = OpenAiChatRequestParameters.builder().overrideWith(p).modelName(model);
        if (REASONING_MODEL.matcher(model).find()) {
            if (p.maxOutputTokens() != null && p.maxCompletionTokens() == null) {
                b.maxCompletionTokens(p.maxOutputTokens()).maxOutputTokens(null);
            }
        } else {
            b.reasoningEffort(null);
            if (p.maxCompletionTokens() != null && p.maxOutputTokens() == null) {
                b.maxOutputTokens(p.maxCompletionTokens()).maxCompletionTokens(null);
            }
        }
        return b.build();
    }
}

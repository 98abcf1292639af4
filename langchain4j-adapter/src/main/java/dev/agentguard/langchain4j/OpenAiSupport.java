package dev.agentguard.langchain4j;

import dev.agentguard.core.common.Usage;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.openai.OpenAiChatRequestParameters;
import dev.langchain4j.model.openai.OpenAiTokenUsage;
import dev.langchain4j.model.output.TokenUsage;
import java.util.Objects;
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
     * Sets the output cap on the fields an OpenAI model reads. A reasoning model gets it on
     * {@code max_completion_tokens} and loses a {@code max_tokens} of the request (it rejects that field; one in the
     * target's defaults cannot be removed, so it is capped too). Another model gets it on each field the request
     * or the target's defaults use, {@code max_tokens} when neither uses one: a request carrying both fields then
     * sends the reserved cap on both.
     *
     * @param parameters the request's parameters
     * @param cap the output cap reserved
     * @param model the model the request goes to
     * @param targetDefaults the default parameters of the instance it goes to, or null
     * @return the capped parameters (the same instance if they already carry the cap where it belongs), or null
     *     when neither the parameters nor the target's defaults are OpenAI's
     */
    static ChatRequestParameters capped(ChatRequestParameters parameters, int cap, String model,
            ChatRequestParameters targetDefaults) {
        OpenAiChatRequestParameters defaults = targetDefaults instanceof OpenAiChatRequestParameters
                ? (OpenAiChatRequestParameters) targetDefaults : null;
        if (defaults == null && !(parameters instanceof OpenAiChatRequestParameters)) {
            return null;
        }
        Integer maxTokens = parameters.maxOutputTokens();
        Integer maxCompletion = maxCompletionTokens(parameters);
        boolean defaultMaxTokens = defaults != null && defaults.maxOutputTokens() != null;
        Integer newMaxTokens;
        Integer newMaxCompletion;
        if (REASONING_MODEL.matcher(model).find()) {
            newMaxCompletion = cap;
            newMaxTokens = defaultMaxTokens ? cap : null;
        } else {
            boolean completion = maxCompletion != null || defaults != null && defaults.maxCompletionTokens() != null;
            newMaxCompletion = completion ? cap : null;
            newMaxTokens = maxTokens != null || defaultMaxTokens || !completion ? cap : null;
        }
        if (Objects.equals(newMaxTokens, maxTokens) && Objects.equals(newMaxCompletion, maxCompletion)) {
            return parameters;
        }
        return OpenAiChatRequestParameters.builder().overrideWith(parameters).maxOutputTokens(newMaxTokens)
                .maxCompletionTokens(newMaxCompletion).build();
    }

    /** @return OpenAI parameters without tools or tool choice, or null if these are not OpenAI parameters */
    static ChatRequestParameters withoutTools(ChatRequestParameters parameters) {
        if (!(parameters instanceof OpenAiChatRequestParameters)) {
            return null;
        }
        return OpenAiChatRequestParameters.builder().overrideWith(parameters)
                .toolSpecifications(java.util.List.of()).toolChoice(null).parallelToolCalls(null).build();
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

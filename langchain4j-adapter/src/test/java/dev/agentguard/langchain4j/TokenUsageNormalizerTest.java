package dev.agentguard.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentguard.core.Usage;
import dev.langchain4j.model.anthropic.AnthropicTokenUsage;
import dev.langchain4j.model.bedrock.BedrockTokenUsage;
import dev.langchain4j.model.googleai.GoogleAiGeminiTokenUsage;
import dev.langchain4j.model.mistralai.internal.api.MistralAiUsage;
import dev.langchain4j.model.mistralai.internal.mapper.MistralAiMapper;
import dev.langchain4j.model.openai.OpenAiTokenUsage;
import dev.langchain4j.model.output.TokenUsage;
import org.junit.jupiter.api.Test;

/**
 * Each provider's counts land in the disjoint buckets once, as the genai-prices extractors read them, and a count
 * that was not reported stays unknown.
 */
class TokenUsageNormalizerTest {

    private static final long U = Usage.UNKNOWN;

    @Test
    void openAiPromptTokensIncludeTheCachedOnesAndCompletionTokensTheReasoning() {
        OpenAiTokenUsage u = OpenAiTokenUsage.builder().inputTokenCount(2_000)
                .inputTokensDetails(OpenAiTokenUsage.InputTokensDetails.builder().cachedTokens(1_536).build())
                .outputTokenCount(700)
                .outputTokensDetails(OpenAiTokenUsage.OutputTokensDetails.builder().reasoningTokens(512).build())
                .build();

        assertThat(TokenUsageNormalizer.normalize(u)).isEqualTo(Usage.of(464, 1_536, U, 188, 512));
    }

    @Test
    void openAiWithoutDetailsLeavesCacheAndReasoningUnknown() {
        OpenAiTokenUsage u = OpenAiTokenUsage.builder().inputTokenCount(100).outputTokenCount(20).build();

        assertThat(TokenUsageNormalizer.normalize(u)).isEqualTo(Usage.of(100, U, U, 20, U));
    }

    @Test
    void openAiWithoutCountsIsUnknownNotZero() {
        OpenAiTokenUsage u = OpenAiTokenUsage.builder()
                .inputTokensDetails(OpenAiTokenUsage.InputTokensDetails.builder().cachedTokens(64).build()).build();

        Usage usage = TokenUsageNormalizer.normalize(u);

        assertThat(usage.input()).isEqualTo(U);
        assertThat(usage.output()).isEqualTo(U);
        assertThat(usage.cacheRead()).isEqualTo(64);
    }

    @Test
    void anthropicInputTokensExcludeCacheReadsAndWrites() {
        AnthropicTokenUsage u = AnthropicTokenUsage.builder().inputTokenCount(50).outputTokenCount(300)
                .cacheReadInputTokens(10_000).cacheCreationInputTokens(2_048).build();

        assertThat(TokenUsageNormalizer.normalize(u)).isEqualTo(Usage.of(50, 10_000, 2_048, 300, U));
    }

    @Test
    void anthropicWithoutCacheFieldsLeavesThemUnknown() {
        AnthropicTokenUsage u = AnthropicTokenUsage.builder().inputTokenCount(50).outputTokenCount(3).build();

        assertThat(TokenUsageNormalizer.normalize(u)).isEqualTo(Usage.of(50, U, U, 3, U));
    }

    @Test
    void geminiPromptIncludesCachedContentAndCandidatesExcludeThoughts() {
        GoogleAiGeminiTokenUsage u = GoogleAiGeminiTokenUsage.builder().inputTokenCount(12_000)
                .cachedContentTokenCount(8_000).outputTokenCount(400).thoughtsTokenCount(1_200)
                .totalTokenCount(13_600).build();

        assertThat(TokenUsageNormalizer.normalize(u)).isEqualTo(Usage.of(4_000, 8_000, U, 400, 1_200));
    }

    @Test
    void geminiWithoutCandidatesLeavesOutputUnknown() {
        GoogleAiGeminiTokenUsage u = GoogleAiGeminiTokenUsage.builder().inputTokenCount(10).thoughtsTokenCount(5)
                .build();

        assertThat(TokenUsageNormalizer.normalize(u)).isEqualTo(Usage.of(10, U, U, U, 5));
    }

    @Test
    void bedrockInputTokensExcludeTheCache() {
        BedrockTokenUsage u = BedrockTokenUsage.builder().inputTokenCount(30).outputTokenCount(90)
                .cacheReadInputTokens(4_000).cacheWriteInputTokens(1_000).build();

        assertThat(TokenUsageNormalizer.normalize(u)).isEqualTo(Usage.of(30, 4_000, 1_000, 90, U));
    }

    @Test
    void mistralAndOllamaReportAPlainTokenUsage() {
        TokenUsage mistral = MistralAiMapper.tokenUsageFrom(MistralAiUsage.builder().promptTokens(120)
                .completionTokens(30).totalTokens(150).build());

        assertThat(TokenUsageNormalizer.normalize(mistral)).isEqualTo(Usage.of(120, U, U, 30, U));
        assertThat(TokenUsageNormalizer.normalize(new TokenUsage(null, 7))).isEqualTo(Usage.of(U, U, U, 7, U));
    }

    @Test
    void noUsageAtAllIsAllUnknown() {
        assertThat(TokenUsageNormalizer.normalize(null)).isEqualTo(Usage.NONE);
    }

    @Test
    void aReportedPartLargerThanItsTotalNeverGoesNegative() {
        OpenAiTokenUsage u = OpenAiTokenUsage.builder().inputTokenCount(10)
                .inputTokensDetails(OpenAiTokenUsage.InputTokensDetails.builder().cachedTokens(64).build())
                .outputTokenCount(1).build();

        assertThat(TokenUsageNormalizer.normalize(u).input()).isZero();
    }
}

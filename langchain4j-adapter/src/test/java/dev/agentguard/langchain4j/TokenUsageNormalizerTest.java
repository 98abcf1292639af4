package dev.agentguard.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentguard.core.common.Usage;
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
    void geminiWithoutCandidatesButWithATotalHasTheRestAsOutput() {
        // a thinking model whose answer is empty: candidatesTokenCount is left out, not unknown
        GoogleAiGeminiTokenUsage u = GoogleAiGeminiTokenUsage.builder().inputTokenCount(15).thoughtsTokenCount(2)
                .totalTokenCount(17).build();

        assertThat(TokenUsageNormalizer.normalize(u)).isEqualTo(Usage.of(15, U, U, 0, 2));
    }

    @Test
    void geminiDerivesTheLeftOutCountFromItsTotalWithCacheAndWithoutThoughts() {
        GoogleAiGeminiTokenUsage withCache = GoogleAiGeminiTokenUsage.builder().inputTokenCount(10_000)
                .cachedContentTokenCount(8_000).thoughtsTokenCount(300).totalTokenCount(10_420).build();
        // no thoughts count: Gemini leaves zeros out
        GoogleAiGeminiTokenUsage noThoughts = GoogleAiGeminiTokenUsage.builder().inputTokenCount(40)
                .totalTokenCount(52).build();
        GoogleAiGeminiTokenUsage noPrompt = GoogleAiGeminiTokenUsage.builder().outputTokenCount(20)
                .thoughtsTokenCount(30).totalTokenCount(150).build();

        assertThat(TokenUsageNormalizer.normalize(withCache)).isEqualTo(Usage.of(2_000, 8_000, U, 120, 300));
        assertThat(TokenUsageNormalizer.normalize(noThoughts)).isEqualTo(Usage.of(40, U, U, 12, U));
        assertThat(TokenUsageNormalizer.normalize(noPrompt)).isEqualTo(Usage.of(100, U, U, 20, 30));
    }

    @Test
    void openAiDerivesALeftOutCountFromTotalTokens() {
        OpenAiTokenUsage noCompletion = OpenAiTokenUsage.builder().inputTokenCount(400)
                .outputTokensDetails(OpenAiTokenUsage.OutputTokensDetails.builder().reasoningTokens(30).build())
                .totalTokenCount(450).build();
        OpenAiTokenUsage noPrompt = OpenAiTokenUsage.builder()
                .inputTokensDetails(OpenAiTokenUsage.InputTokensDetails.builder().cachedTokens(100).build())
                .outputTokenCount(50).totalTokenCount(450).build();

        assertThat(TokenUsageNormalizer.normalize(noCompletion)).isEqualTo(Usage.of(400, U, U, 20, 30));
        assertThat(TokenUsageNormalizer.normalize(noPrompt)).isEqualTo(Usage.of(300, 100, U, 50, U));
    }

    @Test
    void nothingIsDerivedWhenTwoCountsAreMissingOrThePartsExceedTheTotal() {
        OpenAiTokenUsage onlyTotal = OpenAiTokenUsage.builder().totalTokenCount(450).build();
        OpenAiTokenUsage inconsistent = OpenAiTokenUsage.builder().inputTokenCount(500).totalTokenCount(450).build();
        GoogleAiGeminiTokenUsage geminiOnlyTotal = GoogleAiGeminiTokenUsage.builder().thoughtsTokenCount(5)
                .totalTokenCount(90).build();

        assertThat(TokenUsageNormalizer.normalize(onlyTotal)).isEqualTo(Usage.of(U, U, U, U, U));
        assertThat(TokenUsageNormalizer.normalize(inconsistent)).isEqualTo(Usage.of(500, U, U, U, U));
        assertThat(TokenUsageNormalizer.normalize(geminiOnlyTotal)).isEqualTo(Usage.of(U, U, U, U, 5));
    }

    @Test
    void aTotalThatLangChain4jSummedFromThePartsDerivesNothing() {
        // new TokenUsage(input, output) and the Anthropic and Bedrock usages set total = input + output, with a
        // missing count taken as 0: deriving from it would make an unreported count 0
        AnthropicTokenUsage anthropic = AnthropicTokenUsage.builder().inputTokenCount(100).build();
        BedrockTokenUsage bedrock = BedrockTokenUsage.builder().outputTokenCount(70).build();

        assertThat(anthropic.totalTokenCount()).isEqualTo(100);
        assertThat(TokenUsageNormalizer.normalize(anthropic)).isEqualTo(Usage.of(100, U, U, U, U));
        assertThat(TokenUsageNormalizer.normalize(bedrock)).isEqualTo(Usage.of(U, U, U, 70, U));
        assertThat(TokenUsageNormalizer.normalize(new TokenUsage(100, null))).isEqualTo(Usage.of(100, U, U, U, U));
    }

    @Test
    void aPlainTotalAboveItsKnownCountIsTheProvidersAndGivesTheOther() {
        TokenUsage mistral = MistralAiMapper.tokenUsageFrom(MistralAiUsage.builder().promptTokens(120)
                .totalTokens(150).build());

        assertThat(TokenUsageNormalizer.normalize(mistral)).isEqualTo(Usage.of(120, U, U, 30, U));
        assertThat(TokenUsageNormalizer.normalize(new TokenUsage(null, 30, 150))).isEqualTo(Usage.of(120, U, U, 30, U));
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

package dev.agentguard.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What the default estimator charges for the shapes a tokenizer splits on. */
class ScriptAwareEstimatorTest {

    private final TokenEstimator estimator = TokenEstimator.conservative();

    @Test
    void nothingCostsNothing() {
        assertThat(estimator.estimate("")).isZero();
    }

    @Test
    void aNumberCostsAtLeastATokenPerGroupOfThreeDigitsAndAtMostOneMore() {
        for (int digits = 1; digits <= 40; digits++) {
            long groups = (digits + 2) / 3;
            assertThat(estimator.estimate("9".repeat(digits))).as("%d digits", digits)
                    .isBetween(groups, groups + 1);
        }
    }

    @Test
    void aSpaceJoinsTheWordAfterItButNotANumber() {
        assertThat(estimator.estimate("go on")).isEqualTo(estimator.estimate("goon") + 1);
        assertThat(estimator.estimate("in 42")).isEqualTo(estimator.estimate("in") + 2);
    }

    @Test
    void caseChangesInsideAWordCostMoreThanOneWord() {
        assertThat(estimator.estimate("findOrderById")).isGreaterThan(estimator.estimate("findorderbyid"));
        assertThat(estimator.estimate("aGVsbG8gd29ybGQ")).isGreaterThan(estimator.estimate("ahelloworldbase"));
    }

    @Test
    void everyChineseCharacterCostsMoreThanOneToken() {
        String text = "您好我三周前订购了一双跑步鞋";
        assertThat(estimator.estimate(text)).isGreaterThan(text.length());
    }

    @Test
    void aCharacterOfAnUnmeasuredScriptCostsItsUtf8Bytes() {
        String georgian = "\u10D2\u10D0\u10DB\u10D0\u10E0\u10EF\u10DD\u10D1\u10D0"; // 9 characters, 27 bytes
        assertThat(estimator.estimate(georgian)).isEqualTo(27);
        assertThat(estimator.estimate("\uD83D\uDE00")).as("one emoji, 4 bytes").isEqualTo(4);
    }

    @Test
    void aCountWithoutTextIsChargedAtTwoTokensACharacter() {
        assertThat(estimator.estimateChars(1_000)).isEqualTo(2_000);
        assertThat(ModelCall.builder("m").promptChars(300).build().promptTokens(estimator)).isEqualTo(600);
    }

    @Test
    void theWalkOneCharacterAtATimeGivesTheSameCount() {
        String text = "Order A-1042: 您好, Привет! 🎉 {\"id\":\"5f3a9c2e\"}\n  next";
        long units = 0;
        int previous = ScriptAwareEstimator.START;
        for (int i = 0; i < text.length(); i++) {
            int c = ScriptAwareEstimator.classOf(text.charAt(i));
            units += ScriptAwareEstimator.cost(previous, c);
            previous = c;
        }
        assertThat(ScriptAwareEstimator.tokens(units)).isEqualTo(estimator.estimate(text));
    }
}

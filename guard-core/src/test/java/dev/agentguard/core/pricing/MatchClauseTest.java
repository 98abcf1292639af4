package dev.agentguard.core.pricing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Each clause kind compares as genai-prices' {@code Clause*.is_match} does. */
class MatchClauseTest {

    @Test
    void equalsIgnoresCaseOnBothSides() {
        MatchClause clause = new MatchClause.Equals("GPT-4o");
        assertThat(clause.matches("gpt-4o")).isTrue();
        assertThat(clause.matches("GPT-4O")).isTrue();
        assertThat(clause.matches("gpt-4o-mini")).isFalse();
    }

    @Test
    void startsWithIgnoresCase() {
        MatchClause clause = new MatchClause.StartsWith("MiniMax-M");
        assertThat(clause.matches("minimax-m1")).isTrue();
        assertThat(clause.matches("MINIMAX-M2")).isTrue();
        assertThat(clause.matches("x-minimax-m1")).isFalse();
    }

    @Test
    void endsWithIgnoresCase() {
        MatchClause clause = new MatchClause.EndsWith("-Instruct");
        assertThat(clause.matches("llama-3-8b-instruct")).isTrue();
        assertThat(clause.matches("llama-3-8b-instruct-v2")).isFalse();
    }

    @Test
    void containsIgnoresCase() {
        MatchClause clause = new MatchClause.Contains("claude");
        assertThat(clause.matches("anthropic.Claude-3-haiku")).isTrue();
        assertThat(clause.matches("gpt-4o")).isFalse();
    }

    @Test
    void regexSearchesAnywhereAndIsCaseSensitive() {
        // re.search, not re.fullmatch; and no IGNORECASE: the catalog lower-cases model names before matching
        MatchClause unanchored = new MatchClause.Regex(Pattern.compile("(?:mi|code|dev|magi|mini)stral"));
        assertThat(unanchored.matches("open-mistral-7b")).isTrue();
        assertThat(unanchored.matches("codestral-latest")).isTrue();
        assertThat(unanchored.matches("Mistral-large")).isFalse();

        MatchClause anchored = new MatchClause.Regex(Pattern.compile("^gpt-5\\.6-luna-\\d{4}-\\d{2}-\\d{2}$"));
        assertThat(anchored.matches("gpt-5.6-luna-2026-07-30")).isTrue();
        assertThat(anchored.matches("gpt-5.6-luna-2026-07-30-preview")).isFalse();
        assertThat(anchored.matches("GPT-5.6-LUNA-2026-07-30")).isFalse();
    }

    @Test
    void orIsAnyAndAndIsAll() {
        MatchClause or = new MatchClause.Or(List.of(new MatchClause.Equals("o3"), new MatchClause.Equals("o3-2025-04-16")));
        assertThat(or.matches("o3-2025-04-16")).isTrue();
        assertThat(or.matches("o3-mini")).isFalse();
        assertThat(new MatchClause.Or(List.of()).matches("anything")).isFalse();

        MatchClause and = new MatchClause.And(
                List.of(new MatchClause.Contains("huggingface"), new MatchClause.Contains("groq")));
        assertThat(and.matches("huggingface_groq")).isTrue();
        assertThat(and.matches("groq")).isFalse();
        assertThat(new MatchClause.And(List.of()).matches("anything")).isTrue();
    }

    @Test
    void nestedClausesCombine() {
        // {"or": [{"and": [{"starts_with": "gemini"}, {"ends_with": "-pro"}]}, {"equals": "bard"}]}
        MatchClause clause = new MatchClause.Or(List.of(
                new MatchClause.And(List.of(new MatchClause.StartsWith("gemini"), new MatchClause.EndsWith("-pro"))),
                new MatchClause.Equals("bard")));
        assertThat(clause.matches("gemini-1.5-pro")).isTrue();
        assertThat(clause.matches("BARD")).isTrue();
        assertThat(clause.matches("gemini-1.5-flash")).isFalse();
    }
}

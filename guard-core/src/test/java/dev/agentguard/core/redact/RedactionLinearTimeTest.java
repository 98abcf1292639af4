package dev.agentguard.core.redact;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * Issue 15, acceptance: no input can crash or stall a redaction rule. Random and adversarial strings up to 1 MB
 * (nested {@code @}/{@code .}/{@code -} runs, long digit runs, unbalanced quotes) go through every rule of every
 * class and through the redactor; nothing throws, and the time per KB stays flat as the input grows (8 KB to
 * 512 KB; the property feeds inputs up to 1 MB).
 *
 * <p>Linear time is guaranteed by construction: every rule is an RE2/J expression (checked below), whose search
 * is an automaton without backtracking. The timing check only guards against a rule's own Java code (pre-checks,
 * validations, the search loop) going quadratic; it compares time ratios with a wide margin, never a wall-clock
 * limit.
 */
class RedactionLinearTimeTest {

    private static final Redactor ALL = Redactor.builder().pattern("ticket", "TCK-[0-9]{6}").build();

    /** Building blocks of inputs that made backtracking engines explode, or that stress a rule's own loop. */
    private static final List<String> UNITS = List.of("a@", "b.", "-", "@", ".", "a", "1", "12", "1 ", "1-", "+1",
            "\"", "'", "\\", "password=", "\"secret\": \"", "sk-", "AKIA", "eyJ", "Bearer ", "authorization: ",
            "://u:", "-----BEGIN PRIVATE KEY-----", "github token ", "DE89", "Ab1/", " ", "\n", "{", "[", ":", "=",
            "ya29.", "hooks.slack.com/services/", "é", "\uD83D\uDE00");

    static List<TextRule> allRules() {
        List<TextRule> rules = new ArrayList<>();
        for (RedactionClass c : RedactionClass.values()) {
            rules.addAll(TextRule.builtIn(c));
        }
        return rules;
    }

    @Test
    void everyRuleRunsOnTheLinearTimeEngine() {
        for (TextRule rule : allRules()) {
            assertThat(rule.pattern()).isInstanceOf(com.google.re2j.Pattern.class);
        }
        assertThat(Redactor.MAX_TEXT_CHARS).isLessThanOrEqualTo(1 << 16);
    }

    @Provide
    Arbitrary<String> adversarial() {
        Arbitrary<String> unit = Arbitraries.of(UNITS);
        Arbitrary<Integer> repeats = Arbitraries.integers().between(1, 200_000).shrinkTowards(1);
        Arbitrary<String> runs = Combinators.combine(unit.list().ofMinSize(1).ofMaxSize(4), repeats)
                .as((parts, n) -> {
                    String block = String.join("", parts);
                    int times = Math.max(1, Math.min(n, (1 << 20) / block.length()));
                    return block.repeat(times);
                });
        Arbitrary<String> random = Arbitraries.strings().all().ofMaxLength(20_000);
        return Arbitraries.oneOf(runs, random, runs.list().ofMaxSize(3).map(l -> String.join(" ", l)));
    }

    @Property(tries = 30)
    void noInputMakesARuleOrTheRedactorThrow(@ForAll("adversarial") String text) {
        for (TextRule rule : allRules()) {
            String out = rule.apply(text, new Redactor.Probe(text));
            assertThat((long) out.length()).isLessThanOrEqualTo(text.length() * 16L + 64);
        }
        String redacted = ALL.redact(text);
        // a marker is longer than the shortest secrets it replaces ("password=a" -> "password=[REDACTED:secret]",
        // "a@b.co" -> "[REDACTED:email]"), so a text made only of such secrets grows, by less than 3 times
        assertThat(redacted.length()).isLessThanOrEqualTo(Redactor.MAX_TEXT_CHARS * 3 + 64);
        ALL.redactArguments(text);
        ALL.redactArguments("{\"a\":\"" + text.replace("\\", "").replace("\"", "") + "\"}");
    }

    @Test
    void aTextOfNothingButShortSecretsGrowsByLessThanThreeTimes() {
        for (String dense : List.of("a@1 password=", "password=a ", "a@b.co ", "x password=a@1 ")) {
            String text = dense.repeat(Redactor.MAX_TEXT_CHARS / dense.length() + 1);
            assertThat(ALL.redact(text).length()).as(dense).isLessThanOrEqualTo(Redactor.MAX_TEXT_CHARS * 3 + 64);
        }
    }

    @Test
    void timePerKilobyteStaysFlatAsTheInputGrows() {
        List<String> shapes = List.of("a@b.", "b.", "a@b.b-", "1 ", "12-", "+1 (2) ", "\"", "password='", "Ab1/",
                "DE89 ", "sk-a", "://u:p", "github token ", "-----BEGIN PRIVATE KEY-----\n");
        for (String shape : shapes) {
            String small = shape.repeat((8 << 10) / shape.length());
            String large = shape.repeat((512 << 10) / shape.length());
            for (TextRule rule : allRules()) {
                best(rule, large); // warm up
                long tSmall = best(rule, small);
                long tLarge = best(rule, large);
                // linear: 64 times the input, about 64 times the time; quadratic would be 4096 times
                assertThat(tLarge).as("rule %s on %s: %d ns for 8 KB, %d ns for 512 KB", rule.pattern(), shape, tSmall,
                        tLarge).isLessThan(Math.max(512 * tSmall, 100_000_000L));
            }
        }
    }

    /**
     * The least CPU time of three runs: this thread's CPU time, not the wall clock, so that a loaded machine
     * (other builds preempting this one) does not stretch one measurement and not the other.
     */
    private static long best(TextRule rule, String text) {
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            long t0 = mx.getCurrentThreadCpuTime();
            rule.apply(text, new Redactor.Probe(text));
            best = Math.min(best, mx.getCurrentThreadCpuTime() - t0);
        }
        return best;
    }
}

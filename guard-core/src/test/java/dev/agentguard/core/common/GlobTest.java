package dev.agentguard.core.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.regex.Pattern;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.CharRange;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

class GlobTest {

    @Test
    void starsStandForAnyRunAndTheRestForItself() {
        assertThat(Glob.compile("trial-*").matches("trial-")).isTrue();
        assertThat(Glob.compile("trial-*").matches("trial-42")).isTrue();
        assertThat(Glob.compile("trial-*").matches("xtrial-42")).isFalse();
        assertThat(Glob.compile("gpt-4o*").matches("gpt-4o-mini")).isTrue();
        assertThat(Glob.compile("gpt-4o*").matches("gpt-4")).isFalse();
        assertThat(Glob.compile("*-eu").matches("acme-eu")).isTrue();
        assertThat(Glob.compile("ab*bc").matches("abc")).as("prefix and suffix may not overlap").isFalse();
        assertThat(Glob.compile("a*b*c").matches("abbc")).isTrue();
        assertThat(Glob.compile("a*b*c").matches("acb")).isFalse();
        assertThat(Glob.compile("acme").matches("acme")).isTrue();
        assertThat(Glob.compile("acme").matches("acme2")).isFalse();
        assertThat(Glob.compile("a.c").matches("abc")).as("a dot is a dot").isFalse();
        assertThat(Glob.compile("*").matches("")).isTrue();
    }

    @Test
    void emptyOrStarOnlyPatternsAreRefused() {
        assertThatThrownBy(() -> Glob.compile("")).hasMessageContaining("empty");
        assertThatThrownBy(() -> Glob.compile("**")).hasMessageContaining("'**'");
    }

    @Test
    void specificityCountsLiteralCharacters() {
        assertThat(Glob.compile("trial-eu-*").literalLength()).isGreaterThan(Glob.compile("trial-*").literalLength());
    }

    /** The matcher agrees with the regular expression the pattern stands for, on a small alphabet. */
    @Property(tries = 2000)
    void agreesWithARegex(@ForAll @StringLength(min = 1, max = 6) @CharRange(from = 'a', to = 'b')
            @CharRange(from = '*', to = '*') String pattern,
            @ForAll @StringLength(max = 8) @CharRange(from = 'a', to = 'b') String name) {
        if (pattern.chars().allMatch(c -> c == '*') && pattern.length() > 1) {
            return;
        }
        Pattern regex = Pattern.compile(Pattern.quote(pattern).replace("*", "\\E.*\\Q"));
        assertThat(Glob.compile(pattern).matches(name)).as(pattern + " ~ " + name)
                .isEqualTo(regex.matcher(name).matches());
    }
}

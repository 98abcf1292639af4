package dev.agentguard.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CanonicalArgumentsTest {

    @Test
    void keyOrderWhitespaceAndNumberFormsDoNotMatter() {
        String a = "{\"query\": \"weather in Paris\", \"limit\": 1, \"filters\": {\"b\": [1, 2.50], \"a\": true}}";
        String b = "{\"filters\":{\"a\":true,\"b\":[1.0,2.5]},\"limit\":1.0,\"query\":\"weather in Paris\"}";
        String c = " {\n  \"limit\" : 1e0 ,\"query\":\"weather in Paris\",\"filters\":{\"a\":true,\"b\":[10E-1,2.5000]}}\n";

        assertThat(CanonicalArguments.canonical(a)).isEqualTo(CanonicalArguments.canonical(b))
                .isEqualTo(CanonicalArguments.canonical(c));
        assertThat(CanonicalArguments.fingerprint("search", a)).isEqualTo(CanonicalArguments.fingerprint("search", c));
    }

    @Test
    void differentValuesOrToolsDiffer() {
        assertThat(CanonicalArguments.canonical("{\"q\":\"a\"}")).isNotEqualTo(CanonicalArguments.canonical("{\"q\":\"b\"}"));
        assertThat(CanonicalArguments.canonical("[1,2]")).isNotEqualTo(CanonicalArguments.canonical("[2,1]"));
        assertThat(CanonicalArguments.canonical("{\"n\":1}")).isNotEqualTo(CanonicalArguments.canonical("{\"n\":\"1\"}"));
        assertThat(CanonicalArguments.fingerprint("a", "{}")).isNotEqualTo(CanonicalArguments.fingerprint("b", "{}"));
    }

    @Test
    void argumentsThatAreNotJsonCompareAsTrimmedText() {
        assertThat(CanonicalArguments.canonical("  SELECT * FROM t  ")).isEqualTo("SELECT * FROM t");
        assertThat(CanonicalArguments.canonical("{not json")).isEqualTo("{not json");
        assertThat(CanonicalArguments.canonical("{\"a\":1} trailing")).isEqualTo("{\"a\":1} trailing");
        assertThat(CanonicalArguments.canonical(null)).isEmpty();
        assertThat(CanonicalArguments.canonical("[".repeat(10_000))).as("too deep: text").startsWith("[[[");
    }
}

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

    /** The fingerprint is not SHA-256 any more: it must still tell apart what a loop rule must not confuse. */
    @Test
    void fingerprintsOfDistinctCallsDoNotCollide() {
        java.util.Set<Long> seen = new java.util.HashSet<>();
        int calls = 0;
        for (String tool : new String[] {"search", "searc", "search_web", "a", "ab", ""}) {
            for (int i = 0; i < 20_000; i++) {
                String arguments = "{\"q\":\"city " + i + "\",\"page\":" + i % 7 + "}";
                assertThat(seen.add(CanonicalArguments.fingerprint(tool, arguments))).as("%s %d", tool, i).isTrue();
                calls++;
            }
        }
        assertThat(seen).hasSize(calls);
        // the odd last character, the separator and the length are part of what is hashed
        assertThat(CanonicalArguments.hash("a")).isNotEqualTo(CanonicalArguments.hash("a\u0000"));
        assertThat(CanonicalArguments.hash("")).isNotEqualTo(CanonicalArguments.hash("\u0000"));
        assertThat(CanonicalArguments.fingerprint("ab", "c")).isNotEqualTo(CanonicalArguments.fingerprint("a", "bc"));
        assertThat(CanonicalArguments.fingerprint("ab", "")).isNotEqualTo(CanonicalArguments.fingerprint("a", "b"));
        assertThat(CanonicalArguments.hash("")).isNotZero();
    }

    @Test
    void argumentsThatAreNotJsonCompareAsTrimmedText() {
        assertThat(CanonicalArguments.canonical("  SELECT * FROM t  ")).isEqualTo("SELECT * FROM t");
        assertThat(CanonicalArguments.canonical("{not json")).isEqualTo("{not json");
        assertThat(CanonicalArguments.canonical("{\"a\":1} trailing")).isEqualTo("{\"a\":1} trailing");
        assertThat(CanonicalArguments.canonical(null)).isEmpty();
        assertThat(CanonicalArguments.canonical("[".repeat(10_000))).as("too deep: text").startsWith("[[[");
    }

    @Test
    void stringsAreEscapedExactlyAsJacksonWritesThem() {
        // the canonical form (and so every fingerprint) must not change with how strings are quoted
        java.util.SplittableRandom random = new java.util.SplittableRandom(7);
        for (int i = 0; i < 20_000; i++) {
            StringBuilder text = new StringBuilder();
            int length = random.nextInt(12);
            for (int j = 0; j < length; j++) {
                int kind = random.nextInt(4);
                text.append(kind == 0 ? (char) random.nextInt(0x80) // controls, quotes, backslash, ASCII
                        : kind == 1 ? "\"\\/\u2028\u007f\u0000".charAt(random.nextInt(6))
                        : kind == 2 ? (char) random.nextInt(0x10000) // any UTF-16 unit, lone surrogates too
                        : 'x');
            }
            String s = text.toString();
            StringBuilder quoted = new StringBuilder();
            CanonicalArguments.appendQuoted(s, quoted);
            assertThat(quoted.toString()).as("%s", s.chars().mapToObj(Integer::toHexString).toList())
                    .isEqualTo(com.fasterxml.jackson.databind.node.TextNode.valueOf(s).toString());
        }
        assertThat(CanonicalArguments.canonical("{\"b\":null,\"a\":[true,false,\"x\\ny\"]}"))
                .isEqualTo("{\"a\":[true,false,\"x\\ny\"],\"b\":null}");
    }
}

package dev.agentguard.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * The streaming canonical form writes exactly what the tree-based one wrote, for any JSON a model may send and for
 * text that is not JSON.
 */
class CanonicalArgumentsReferenceTest {

    @Property(tries = 500)
    void streamingWritesWhatTheTreeWrote(@ForAll("json") String json) {
        assertThat(CanonicalArguments.canonical(json)).isEqualTo(TreeCanonicalArguments.canonical(json));
    }

    @Property(tries = 300)
    void aFingerprintIsThatOfTheCanonicalText(@ForAll String tool, @ForAll("json") String json,
            @ForAll String any) {
        assertThat(CanonicalArguments.fingerprint(tool, json))
                .isEqualTo(CanonicalArguments.fingerprint(tool, TreeCanonicalArguments.canonical(json)));
        assertThat(CanonicalArguments.hash(any)).isEqualTo(TreeCanonicalArguments.hash(any));
    }

    /** Computed from the tokens, the fingerprint tells two calls apart exactly when their canonical texts differ. */
    @Property(tries = 1_000)
    void fingerprintsAreEqualExactlyWhenCanonicalTextsAre(@ForAll("json") String a, @ForAll("json") String b) {
        boolean same = TreeCanonicalArguments.canonical(a).equals(TreeCanonicalArguments.canonical(b));
        assertThat(CanonicalArguments.fingerprint("search", a) == CanonicalArguments.fingerprint("search", b))
                .as("%s / %s", a, b).isEqualTo(same);
    }

    @Test
    void argumentsThatMeanTheSameHaveOneFingerprint() {
        String[][] same = {
            {"{\"b\":1,\"a\":2,\"b\":3}", "{\"a\":2,\"b\":3}", " { \"b\" : 3 , \"a\" : 2.0 } "},
            {"{\"a\":\"\\u00e9\\n\"}", "{\"a\":\"\u00e9\\n\"}"},
            {"[1,1.0,1e0,10,-0,0.0]", "[1, 1.00, 0.1e1, 1E+1, 0, -0.0]"},
            {"9000000000000000000", "9e18", "9000000000000000000.0"},
            {"123456789012345678901234567890", "1.23456789012345678901234567890e29"},
            {"{\"x\":{\"z\":[{\"b\":true,\"a\":null}],\"y\":false}}",
                "{\"x\":{\"y\":false,\"z\":[{\"a\":null,\"b\":true}]}}"},
        };
        for (String[] group : same) {
            for (String s : group) {
                assertThat(CanonicalArguments.fingerprint("t", s)).as("%s ~ %s", s, group[0])
                        .isEqualTo(CanonicalArguments.fingerprint("t", group[0]));
            }
        }
        String[] distinct = {"{\"a\":2,\"b\":1}", "{\"a\":2,\"b\":3}", "{\"a\":2}", "[1,2]", "[2,1]", "[[1],2]",
            "[1,[2]]", "\"1\"", "1", "1.5", "true", "null", "\"\"", "[]", "{}", "[{}]", "{\"\":{}}", "not json",
            "{\"a\":1", "9000000000000000001", "9e18 1"};
        java.util.Set<Long> seen = new java.util.HashSet<>();
        for (String s : distinct) {
            assertThat(seen.add(CanonicalArguments.fingerprint("t", s))).as(s).isTrue();
        }
    }

    /** Past the members an object is checked for a repeated key, its fingerprint comes from its canonical text. */
    @Test
    void largeObjectsHashAsTheirCanonicalText() {
        int n = CanonicalArguments.MAX_MEMBERS_CHECKED + 40;
        StringBuilder ascending = new StringBuilder("{");
        StringBuilder descending = new StringBuilder("{");
        for (int i = 0; i < n; i++) {
            ascending.append(i == 0 ? "" : ",").append("\"k").append(1000 + i).append("\":").append(i);
            descending.append(i == 0 ? "" : ",").append("\"k").append(1000 + n - 1 - i).append("\":").append(n - 1 - i);
        }
        String sorted = ascending + "}";
        String reversed = descending + "}";
        String repeated = descending + ",\"k1000\":-1}";
        assertThat(CanonicalArguments.fingerprint("t", reversed))
                .isEqualTo(CanonicalArguments.fingerprint("t", sorted));
        assertThat(CanonicalArguments.fingerprint("t", repeated))
                .isEqualTo(CanonicalArguments.fingerprint("t", sorted.replace("\"k1000\":0", "\"k1000\":-1")))
                .isNotEqualTo(CanonicalArguments.fingerprint("t", sorted));
    }

    @Test
    void longTextsAndLoneSurrogatesHashAsDefined() {
        for (String s : List.of("é".repeat(3_000), "a\uD800b", "\uDC00", "x\uD83D", "\uD83D\uDE00".repeat(700))) {
            assertThat(CanonicalArguments.hash(s)).as(s.length() + " chars").isEqualTo(TreeCanonicalArguments.hash(s));
            assertThat(CanonicalArguments.fingerprint(s, s)).isEqualTo(TreeCanonicalArguments.fingerprint(s, s));
        }
    }

    @Test
    void theCasesThatDifferFromATreeByConstruction() {
        for (String s : List.of("{\"b\":1,\"a\":2,\"b\":3}", "{\"a\":{\"z\":1,\"y\":[1,2.50,1e2,100,-0,0.0]}}",
                "[]", "{}", "  {\"a\" : \"x\\u00e9\\n\"}  ", "1 2", "{\"a\":1}}", "not json", "\"s\"", "1.0E+3",
                "12345678901234567890123", "-120", "{\"c\":1,\"a\":{\"z\":2,\"b\":[3,{\"y\":1,\"x\":2}]},\"a\":5}", "{\"a\":1,}", "[1,]", "nul", "")) {
            assertThat(CanonicalArguments.canonical(s)).as(s).isEqualTo(TreeCanonicalArguments.canonical(s));
        }
    }

    @Provide
    Arbitrary<String> json() {
        return value(3);
    }

    private Arbitrary<String> value(int depth) {
        Arbitrary<String> number = Arbitraries.oneOf(
                Arbitraries.longs().map(String::valueOf),
                Arbitraries.integers().between(0, 50).map(i -> i * 100 + ""),
                Arbitraries.bigDecimals().ofScale(3).map(d -> d.toPlainString()),
                Arbitraries.of("1e2", "1.0", "-0", "0.000", "2.50E-3", "1E+10"));
        Arbitrary<String> string = Arbitraries.strings().ofMaxLength(8)
                .map(s -> '"' + s.replace("\\", "\\\\").replace("\"", "\\\"").replaceAll("[\\x00-\\x1f]", "") + '"');
        Arbitrary<String> scalar = Arbitraries.oneOf(number, string, Arbitraries.of("true", "false", "null"));
        if (depth == 0) {
            return scalar;
        }
        Arbitrary<String> key = Arbitraries.of("a", "b", "c", "é", "a b", "");
        Arbitrary<String> member = Combinators.combine(key, value(depth - 1)).as((k, v) -> '"' + k + "\" : " + v);
        Arbitrary<String> object = member.list().ofMaxSize(4).map(l -> "{" + String.join(",", l) + "}");
        Arbitrary<String> array = value(depth - 1).list().ofMaxSize(4).map(l -> "[ " + String.join(", ", l) + "]");
        return Arbitraries.oneOf(scalar, object, array);
    }
}

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
    void theFingerprintIsTheDefinedHashOfTheToolAndTheCanonicalText(@ForAll String tool,
            @ForAll("json") String json, @ForAll String any) {
        assertThat(CanonicalArguments.fingerprint(tool, json)).isEqualTo(TreeCanonicalArguments.fingerprint(tool, json));
        assertThat(CanonicalArguments.hash(any)).isEqualTo(TreeCanonicalArguments.hash(any));
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

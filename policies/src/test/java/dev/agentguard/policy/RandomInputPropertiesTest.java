package dev.agentguard.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.Size;

/**
 * Whatever the input, reading a policy either succeeds or throws {@link PolicyException} with located problems:
 * never another exception, never an "internal error" (which would be a bug caught by the last-resort guard),
 * never a hang. Inputs: random bytes, random YAML documents built from the policy vocabulary, and random edits of
 * a valid policy.
 */
class RandomInputPropertiesTest {

    private static final PolicyReader READER = PolicyReader.withEnvironment(Map.of("SET", "5", "EMPTY", ""));
    private static final String VALID = read(PolicyBindingTest.VALID.resolve("support-bot.yaml"));

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads as a single policy and as a set of agents; both must end in success or a located problem. */
    private static void assertOnlySuccessOrPolicyException(byte[] input) {
        for (int mode = 0; mode < 2; mode++) {
            try {
                if (mode == 0) {
                    READER.parse(new ByteArrayInputStream(input), "random.yaml");
                } else {
                    READER.parseAgents(new ByteArrayInputStream(input), "random.yaml");
                }
            } catch (PolicyException e) {
                assertThat(e.getMessage()).doesNotContain("internal error");
                assertThat(e.problems()).isNotEmpty().allSatisfy(p -> {
                    assertThat(p.source()).isEqualTo("random.yaml");
                    assertThat(p.line()).isPositive();
                    assertThat(p.column()).isPositive();
                    assertThat(p.message()).isNotBlank();
                });
            }
        }
    }

    @Property(tries = 1000)
    void randomBytes(@ForAll @Size(max = 2000) byte[] bytes) {
        assertOnlySuccessOrPolicyException(bytes);
    }

    @Property(tries = 500)
    void randomBytesAfterAValidStart(@ForAll @Size(max = 500) byte[] bytes) {
        byte[] start = "version: 1\nbudgets:\n  - ".getBytes(StandardCharsets.UTF_8);
        byte[] input = new byte[start.length + bytes.length];
        System.arraycopy(start, 0, input, 0, start.length);
        System.arraycopy(bytes, 0, input, start.length, bytes.length);
        assertOnlySuccessOrPolicyException(input);
    }

    @Property(tries = 1000)
    void randomYamlShapes(@ForAll("documents") String yaml) {
        assertOnlySuccessOrPolicyException(yaml.getBytes(StandardCharsets.UTF_8));
    }

    @Property(tries = 1000)
    void randomEditsOfAValidPolicy(@ForAll("edits") List<Tuple.Tuple3<Integer, Integer, String>> edits) {
        StringBuilder text = new StringBuilder(VALID);
        for (Tuple.Tuple3<Integer, Integer, String> e : edits) {
            int at = Math.floorMod(e.get1(), text.length() + 1);
            int end = Math.min(text.length(), at + e.get2());
            text.replace(at, end, e.get3());
        }
        assertOnlySuccessOrPolicyException(text.toString().getBytes(StandardCharsets.UTF_8));
    }

    @Provide
    Arbitrary<List<Tuple.Tuple3<Integer, Integer, String>>> edits() {
        Arbitrary<String> inserts = Arbitraries.oneOf(Arbitraries.of("", " ", "\n", "  ", "-", ":", "[", "]", "{", "}",
                        "&a ", "*a", "%", "'", "\"", "#", "\t", "${SET}", "${NOPE}", "0", "-1", "1e999", ".inf", "~",
                        "!!binary ", "? ", "<<: ", "---\n", "..."),
                Arbitraries.strings().ofMaxLength(6));
        return Arbitraries.integers().between(0, 5000).flatMap(at -> Arbitraries.integers().between(0, 12)
                .flatMap(len -> inserts.map(s -> Tuple.of(at, len, s)))).list().ofMinSize(1).ofMaxSize(8);
    }

    /** Keys of every section, a few wrong ones, and values of every form the binder reads (and some it rejects). */
    private static final List<String> KEYS = keys();
    private static final List<String> SCALARS = List.of("1", "0", "-1", "2.00", "0.125", "1e3", "99999999999999999999",
            "10m", "PT10M", "500ms", "ten minutes", "80%", "150%", "12.5%", "block", "warn", "suspend:10m", "suspend:",
            "assume:gpt-4o", "enforce", "shadow", "session", "global", "gpt-4o", "gpt-4o-mini", "true", "null", "~",
            "\"quoted\"", "'40'", "${SET}", "${NOPE}", "${EMPTY:-3}", "${bad name}", "preset:starter", "preset:x",
            "truncate", "feedback", "downgrade", "secrets", "Europe/Paris", "day", "\"\"", ".nan", "0x1F");

    private static List<String> keys() {
        List<String> k = new ArrayList<>();
        PolicyKeys.SECTIONS.values().forEach(k::addAll);
        k.addAll(List.of("budget", "toolCallPerTurn", "<<", "search_web", "support", "my-model", "1", ""));
        return k;
    }

    @Provide
    Arbitrary<String> documents() {
        Arbitrary<String> body = value(4);
        return Arbitraries.oneOf(
                body,
                body.map(b -> "version: 1\n" + "x: " + b + "\n"),
                mapping(4, 0).map(m -> "version: 1\n" + m));
    }

    private Arbitrary<String> value(int depth) {
        Arbitrary<String> scalar = Arbitraries.of(SCALARS);
        if (depth == 0) {
            return scalar;
        }
        Arbitrary<String> flowList = Arbitraries.lazy(() -> value(depth - 1)).list().ofMaxSize(4)
                .map(items -> "[" + String.join(", ", items) + "]");
        Arbitrary<String> flowMap = Arbitraries.lazy(() -> Arbitraries.of(KEYS).flatMap(k -> value(depth - 1)
                .map(v -> quoteKey(k) + ": " + v)).list().ofMaxSize(4))
                .map(entries -> "{" + String.join(", ", entries) + "}");
        return Arbitraries.frequencyOf(Tuple.of(4, scalar), Tuple.of(1, flowList), Tuple.of(1, flowMap));
    }

    /** A block mapping at an indentation, whose values are scalars, flow values or nested block mappings. */
    private Arbitrary<String> mapping(int depth, int indent) {
        String pad = " ".repeat(indent);
        Arbitrary<String> entryValue = depth == 0 ? value(1).map(v -> " " + v + "\n")
                : Arbitraries.frequencyOf(
                        Tuple.of(3, value(2).map(v -> " " + v + "\n")),
                        Tuple.of(1, Arbitraries.lazy(() -> mapping(depth - 1, indent + 2)).map(m -> "\n" + m)),
                        Tuple.of(1, Arbitraries.lazy(() -> mapping(depth - 1, indent + 4))
                                .map(m -> "\n" + pad + "  - " + m.substring(indent + 4))));
        return Arbitraries.of(KEYS).flatMap(k -> entryValue.map(v -> pad + quoteKey(k) + ":" + v)).list()
                .ofMinSize(1).ofMaxSize(5).map(entries -> String.join("", entries));
    }

    private static String quoteKey(String key) {
        return key.isEmpty() || key.startsWith("<") || key.matches("[0-9].*") ? "\"" + key + "\"" : key;
    }
}

package dev.agentguard.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.agentguard.policy.PolicyException.Problem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every file of {@code src/test/resources/malformed} is rejected with exactly the problems it announces in its
 * {@code # expect: line:column key.path | message} comments (at the end of the file, so that they do not shift the
 * lines they describe): same line, column and key path, a message that starts with the announced text, and no
 * other problem.
 */
class MalformedCorpusTest {

    static final Path CORPUS = Path.of("src/test/resources/malformed");
    private static final Pattern EXPECT = Pattern.compile("^# expect: (\\d+):(\\d+) ?(.*?) \\| (.+)$");

    /** One announced problem. */
    record Expected(int line, int column, String path, String message) {
        boolean matches(Problem p) {
            return p.line() == line && p.column() == column && p.path().equals(path) && p.message().startsWith(message);
        }

        @Override
        public String toString() {
            return line + ":" + column + " " + path + " | " + message;
        }
    }

    static Stream<Path> corpus() throws IOException {
        try (Stream<Path> files = Files.list(CORPUS)) {
            return files.filter(p -> p.toString().endsWith(".yaml")).sorted().collect(Collectors.toList()).stream();
        }
    }

    static List<Expected> expectations(Path file) throws IOException {
        List<Expected> out = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            Matcher m = EXPECT.matcher(line);
            if (m.matches()) {
                out.add(new Expected(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), m.group(3).trim(),
                        m.group(4)));
            }
        }
        return out;
    }

    @Test
    void theCorpusIsLargeEnough() throws IOException {
        assertThat(corpus().count()).isGreaterThanOrEqualTo(30);
    }

    @ParameterizedTest
    @MethodSource("corpus")
    void isRejectedWithTheAnnouncedProblems(Path file) throws IOException {
        List<Expected> expected = expectations(file);
        assertThat(expected).as("announced problems of " + file).isNotEmpty();

        // a fixed, empty environment: ${...} in the corpus must not depend on the machine
        PolicyException e = catchThrowableOfType(PolicyException.class,
                () -> PolicyReader.withEnvironment(Map.of()).parseAgents(file));

        assertThat(e).as(file + " must be rejected").isNotNull();
        List<Problem> problems = e.problems();
        assertThat(problems).as(e.getMessage()).hasSameSizeAs(expected);
        for (Expected x : expected) {
            assertThat(problems).as(file + ": expected " + x + " in\n" + e.getMessage()).anyMatch(x::matches);
        }
        assertThat(problems).allSatisfy(p -> assertThat(p.source()).isEqualTo(file.toString()));
        for (String line : e.getMessage().split("\n")) {
            assertThat(line).as("each line names file:line:column").startsWith(file + ":");
        }
    }

    @Test
    void theIssueExampleReadsAsDocumented() {
        PolicyException e = catchThrowableOfType(PolicyException.class,
                () -> Policies.parse(CORPUS.resolve("bad-duration.yaml")));

        assertThat(e.getMessage()).isEqualTo(CORPUS.resolve("bad-duration.yaml") + ":6:13 budgets[0].window:"
                + " expected a duration like 10m or PT10M, got \"ten minutes\"");
    }

    @Test
    void problemsComeInFileOrder() {
        PolicyException e = catchThrowableOfType(PolicyException.class,
                () -> Policies.parse(CORPUS.resolve("many-problems.yaml")));

        List<Integer> lines = e.problems().stream().map(Problem::line).collect(Collectors.toList());
        assertThat(lines).isSorted().hasSize(6);
    }
}

package dev.agentguard.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Hostile input ends quickly in a {@link PolicyException}: large files, bombs, deep nesting, garbage. */
@Timeout(30)
class LimitsTest {

    private static PolicyException reject(byte[] input) {
        PolicyException e = catchThrowableOfType(PolicyException.class,
                () -> PolicyReader.withEnvironment(Map.of()).parse(new ByteArrayInputStream(input), "x.yaml"));
        assertThat(e).as("rejected").isNotNull();
        return e;
    }

    private static PolicyException reject(String input) {
        return reject(input.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aFileOfManyMegabytesIsRefusedBeforeItIsParsed(@TempDir Path dir) throws Exception {
        Path big = dir.resolve("big.yaml");
        byte[] chunk = "version: 1\n# padding padding padding padding padding padding padding padding\n"
                .getBytes(StandardCharsets.UTF_8);
        try (var out = Files.newOutputStream(big)) {
            for (int i = 0; i < 80_000; i++) {
                out.write(chunk);
            }
        }
        assertThat(Files.size(big)).isGreaterThan(5_000_000);

        assertThatThrownBy(() -> Policies.parse(big)).isInstanceOf(PolicyException.class)
                .hasMessage(big + ":1:1: the file is " + Files.size(big) + " bytes; a policy may be at most 1048576"
                        + " bytes (1 MiB)");
    }

    @Test
    void anEndlessStreamIsReadOnlyUpToTheLimit() {
        InputStream endless = new InputStream() {
            @Override
            public int read() {
                return 'a';
            }
        };
        assertThatThrownBy(() -> Policies.parse(endless, "endless.yaml")).isInstanceOf(PolicyException.class)
                .hasMessageContaining("more than 1048576 bytes");
    }

    @Test
    void aBillionLaughsStopsAtTheValueLimit() {
        StringBuilder bomb = new StringBuilder("version: 1\na0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for (int i = 1; i < 10; i++) {
            bomb.append('a').append(i).append(": &a").append(i).append(" [");
            for (int j = 0; j < 9; j++) {
                bomb.append(j == 0 ? "" : ", ").append("*a").append(i - 1);
            }
            bomb.append("]\n");
        }
        long start = System.nanoTime();

        PolicyException e = reject(bomb.toString());

        assertThat(e.getMessage()).contains("more than 100000 values once its aliases are expanded");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void deepNestingIsRefusedWithoutOverflowingTheStack() {
        assertThat(reject("version: 1\nname: " + "[".repeat(100_000)).getMessage()).startsWith("x.yaml:");
        assertThat(reject("version: 1\nname: " + "{a: ".repeat(5_000)).getMessage()).startsWith("x.yaml:");
        StringBuilder block = new StringBuilder("version: 1\n");
        for (int i = 0; i < 200; i++) {
            block.append(" ".repeat(i)).append("k:\n");
        }
        assertThat(reject(block.toString()).getMessage()).contains("nested more than 32 levels deep");
    }

    @Test
    void hugeKeysAndScalarsAreProblemsNotCrashes() {
        assertThat(reject("version: 1\n" + "k".repeat(20_000) + ": 1\n").problems()).isNotEmpty();
        assertThat(PolicyReader.withEnvironment(Map.of()).parse(new ByteArrayInputStream(("version: 1\nname: "
                + "9".repeat(50_000) + "\n").getBytes(StandardCharsets.UTF_8)), "x.yaml").name()).as("a long name")
                .hasSize(50_000);
        assertThat(reject("version: 1\ndefaultMaxOutputTokens: " + "9".repeat(60) + "\n").getMessage())
                .contains("too large");
    }

    @Test
    void binaryGarbageAndBrokenEncodingsAreProblems() {
        Random random = new Random(42);
        for (int i = 0; i < 200; i++) {
            byte[] garbage = new byte[random.nextInt(5_000)];
            random.nextBytes(garbage);
            try {
                PolicyReader.withEnvironment(Map.of()).parse(new ByteArrayInputStream(garbage), "x.yaml");
            } catch (PolicyException expected) {
                assertThat(expected.getMessage()).doesNotContain("internal error");
            }
        }
        assertThat(reject(new byte[] {'a', ':', ' ', (byte) 0xC3, (byte) 0x28}).getMessage())
                .isEqualTo("x.yaml:1:1: the file is not valid UTF-8 (a bad byte near offset 3); a policy is UTF-8 text");
        reject(new byte[] {0, 0, 0, 0});
        reject(new byte[0]);
    }

    @Test
    void aUtf16PolicyWithAByteOrderMarkIsRead() {
        byte[] utf16 = "\uFEFFversion: 1\nname: wide\n".getBytes(StandardCharsets.UTF_16BE);
        assertThat(PolicyReader.withEnvironment(Map.of()).parse(new ByteArrayInputStream(utf16), "w.yaml").name())
                .isEqualTo("wide");
    }

    @Test
    void aFloodOfProblemsIsCappedAtOneHundred() {
        StringBuilder many = new StringBuilder("version: 1\n");
        for (int i = 0; i < 500; i++) {
            many.append("unknown").append(i).append(": 1\n");
        }
        PolicyException e = reject(many.toString());
        assertThat(e.problems()).hasSize(Problems.MAX + 1);
        assertThat(e.problems().get(Problems.MAX).message()).isEqualTo("more problems follow from here; only the"
                + " first 100 are reported");
    }
}

package dev.agentguard.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentguard.core.FakeTicker;
import dev.agentguard.core.Guard;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15, item 8: a policy rewritten in place by a slow writer is a valid prefix of itself for a while (no
 * budgets yet); the watcher applies a change only once the file has stayed the same for the settle period.
 */
class PolicyReloadSettlesTest {

    private static final String HEAD = "version: 1\nname: v2\n";
    private static final String BUDGETS = "budgets:\n"
            + "  - { id: session-10m, scope: session, window: 10m, limit: { costUsd: 0.50 } }\n";

    @TempDir
    Path dir;

    private Path start() throws IOException {
        return Files.writeString(dir.resolve("p.yaml"), "version: 1\nname: v1\n" + BUDGETS);
    }

    @Test
    void aHalfWrittenFileIsNotApplied() throws IOException {
        Path file = start();
        Guard guard = Policies.load(file);
        PolicyWatcher watcher = PolicyWatcher.builder(file, guard).build();

        Files.writeString(file, HEAD); // the writer has written the first lines only
        watcher.poll();

        assertThat(guard.config().budgets()).as("the valid prefix, without budgets, is not applied").hasSize(1);
        assertThat(guard.config().name()).isEqualTo("v1");
        guard.close();
    }

    @Test
    void theChangeIsAppliedOnceTheFileHasStayedTheSameForTheSettlePeriod() throws IOException {
        Path file = start();
        Guard guard = Policies.load(file);
        FakeTicker ticker = new FakeTicker();
        PolicyWatcher watcher = PolicyWatcher.builder(file, guard).ticker(ticker).settle(Duration.ofSeconds(1))
                .build();

        Files.writeString(file, HEAD);
        assertThat(watcher.poll()).isEqualTo(PolicyWatcher.Outcome.SETTLING);
        ticker.advance(Duration.ofMillis(900));
        Files.writeString(file, BUDGETS, StandardOpenOption.APPEND); // the rest arrives: the clock starts again
        assertThat(watcher.poll()).isEqualTo(PolicyWatcher.Outcome.SETTLING);
        ticker.advance(Duration.ofMillis(900));
        assertThat(watcher.poll()).as("unchanged, but not for a second yet").isEqualTo(PolicyWatcher.Outcome.SETTLING);
        ticker.advance(Duration.ofMillis(100));
        assertThat(watcher.poll()).isEqualTo(PolicyWatcher.Outcome.RELOADED);

        assertThat(guard.config().name()).isEqualTo("v2");
        assertThat(guard.config().budgets()).hasSize(1);
        assertThat(watcher.poll()).isEqualTo(PolicyWatcher.Outcome.UNCHANGED);
        guard.close();
    }
}

package dev.agentguard.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportTest {

    @TempDir
    Path dir;

    @Test
    void aNewRunKeepsTheSectionsWrittenByHand() throws Exception {
        Path out = dir.resolve("BENCHMARKS.md");
        Files.writeString(out, "# Benchmarks\n\n| generated |\n\n## Ratios\n\nold\n\n"
                + "## Before and after (hand-run, not generated)\n\nfigures\n\n## Another (hand-run, not generated)\n\nmore\n");

        String kept = Report.handRun(out);

        assertThat(kept).startsWith("\n## Before and after (hand-run, not generated)").contains("figures", "more")
                .doesNotContain("## Ratios", "old", "| generated |");
    }

    @Test
    void nothingToKeepInAFirstReport() throws Exception {
        assertThat(Report.handRun(dir.resolve("none.md"))).isEmpty();
        Path out = dir.resolve("BENCHMARKS.md");
        Files.writeString(out, "# Benchmarks\n\n## Ratios\n");
        assertThat(Report.handRun(out)).isEmpty();
    }
}

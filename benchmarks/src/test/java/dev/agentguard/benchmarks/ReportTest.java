package dev.agentguard.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
    void theHotPathLinesOfIssue16AreCheckedAgainstTheRun() {
        List<Report.Row> rows = List.of(
                Report.Row.of("ModelCallBenchmark.rawCall", "", 1, 60, "ns/op", 472),
                Report.Row.of("ModelCallBenchmark.resilience4jCall", "", 1, 170, "ns/op", 512),
                Report.Row.of("ModelCallBenchmark.guardedCall", "sessions=10000", 1, 650, "ns/op", 1600),
                Report.Row.of("ModelCallBenchmark.guardedCall", "sessions=10000", 2, 650, "ns/op", 1600),
                Report.Row.of("ModelCallBenchmark.guardedCall", "sessions=1000000", 1, 1000, "ns/op", 1600),
                Report.Row.of("ModelCallBenchmark.guardedCall", "sessions=1000000", 2, 1600, "ns/op", 1600),
                Report.Row.of("ToolCallBenchmark.resilience4jCall", "", 1, 100, "ns/op", 40),
                Report.Row.of("ToolCallBenchmark.guardedCall", "sessions=10000", 1, 700, "ns/op", 1100));

        String md = Report.hotPath(rows, 1100L);

        assertThat(md).contains("## Hot path, issue 16")
                .contains("| model call ÷ Resilience4j pair ≤ 4× | 3.82× | sessions=10000 | yes |")
                .contains("| tool call ÷ Resilience4j pair ≤ 6× | 7.00× | sessions=10000 | **no** |")
                .contains("| model call, guarded − raw ≤ 700 ns | 590 ns/op | sessions=10000 | yes |")
                .contains("| model call, allocation beyond the raw call ≤ 1 KB | 1128 B/op | sessions=10000 | **no** |")
                .contains("(ModelCallBenchmark.guardedCall) | 2.00× | sessions=10000 | yes |")
                .contains("(ModelCallBenchmark.guardedCall) | 1.25× | sessions=1000000 | **no** |")
                .contains("| idle session ≤ 1 KB | 1100 B |  | **no** |")
                .doesNotContain("(ToolCallBenchmark.guardedCall) |"); // no 2-thread tool run: no line
        assertThat(Report.hotPath(List.of(), null)).isEmpty();
        assertThat(md).as("one fork each: nothing per fork").doesNotContain("Per fork");
    }

    @Test
    void theHotPathLinesShowEachForkOfTheGuardedCallsAndTheirPairs() {
        Report.Row model = Report.Row.of("ModelCallBenchmark.guardedCall", "sessions=10000", 1, 800, "ns/op", 1600);
        model.forks.addAll(List.of(842.0, 796.4, 870.0));
        Report.Row pair = Report.Row.of("ModelCallBenchmark.resilience4jCall", "", 1, 181, "ns/op", 512);
        pair.forks.addAll(List.of(185.0, 181.0, 181.0));

        String md = Report.hotPath(List.of(model, pair), null);

        assertThat(md).contains("Per fork, sessions=10000, 1 thread, ns/op, in the order run: ModelCallBenchmark 842,"
                + " 796, 870 (pair 185, 181, 181).");
    }

    @Test
    void nothingToKeepInAFirstReport() throws Exception {
        assertThat(Report.handRun(dir.resolve("none.md"))).isEmpty();
        Path out = dir.resolve("BENCHMARKS.md");
        Files.writeString(out, "# Benchmarks\n\n## Ratios\n");
        assertThat(Report.handRun(out)).isEmpty();
    }

    @Test
    void aBenchmarkRunAgainInAnotherFileIsOneRowOverAllItsForks() throws Exception {
        Path first = dir.resolve("t2.json");
        Path again = dir.resolve("t2-again.json");
        Files.writeString(first, "[" + result("ModelCallBenchmark.guardedCall", 2, "[[2000, 2100, 1900]]", 900)
                + "," + result("ModelCallBenchmark.rawCall", 2, "[[60, 61]]", 472) + "]");
        Files.writeString(again, "[" + result("ModelCallBenchmark.guardedCall", 2, "[[800, 700], [750, 810]]", 910)
                + "]");

        Report.Results run = Report.read(List.of(first, again));

        assertThat(run.rows()).hasSize(2);
        Report.Row guarded = run.rows().get(0);
        assertThat(guarded.name).isEqualTo("ModelCallBenchmark.guardedCall");
        assertThat(guarded.params).isEqualTo("sessions=10000");
        assertThat(guarded.values).as("three forks pooled").hasSize(7);
        assertThat(guarded.median).as("of 700 750 800 810 1900 2000 2100").isEqualTo(810);
        assertThat(guarded.spread).isEqualTo(1400);
        assertThat(guarded.allocation).isEqualTo(905);
        assertThat(guarded.forks).as("each fork's median, in the order read").containsExactly(2000.0, 750.0, 780.0);
        assertThat(run.rows().get(1).median).isEqualTo(60.5);
        assertThat(run.jmhVersion()).isEqualTo("1.37");
    }

    private static String result(String name, int threads, String rawData, double allocation) {
        return "{\"jmhVersion\": \"1.37\", \"benchmark\": \"dev.agentguard.benchmarks." + name + "\", \"threads\": "
                + threads + ", \"vmName\": \"OpenJDK\", \"jdkVersion\": \"17\","
                + (name.endsWith("guardedCall") ? " \"params\": {\"sessions\": \"10000\"}," : "")
                + " \"primaryMetric\": {\"scoreUnit\": \"ns/op\", \"rawData\": " + rawData + "},"
                + " \"secondaryMetrics\": {\"gc.alloc.rate.norm\": {\"rawData\": [[" + allocation + "]]}}}";
    }
}

package dev.agentguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentguard.core.DecisionEvent;
import dev.agentguard.core.common.CallKind;
import dev.agentguard.core.common.Money;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The HTML report's structure, read with jsoup: one self-contained page, charts as inline SVG, no script. */
class HtmlReportTest {

    @TempDir
    Path dir;

    private RecordedRun run;
    private Document page;

    @BeforeEach
    void render() throws Exception {
        run = RecordedRun.demo(dir.resolve("logs/agent-guard-audit.jsonl"));
        Path out = dir.resolve("report.html");
        Cli.Run r = Cli.run("report", "-o", out.toString(), run.auditFile.toString());
        assertThat(r.status()).as(r.toString()).isEqualTo(0);
        page = Jsoup.parse(out.toFile(), "UTF-8");
    }

    @Test
    void isSelfContainedWithoutScriptOrNetwork() {
        assertThat(page.select("script")).isEmpty();
        assertThat(page.select("link, img, iframe, object, embed")).isEmpty();
        assertThat(page.select("[src], [href]")).isEmpty();
        assertThat(page.getAllElements()).allSatisfy(e -> e.attributes().forEach(a ->
                assertThat(a.getKey()).as(e.tagName()).doesNotStartWith("on")));
        assertThat(page.html()).doesNotContain("http://", "https://").doesNotContain("url(");
        Element csp = page.selectFirst("meta[http-equiv=Content-Security-Policy]");
        assertThat(csp).isNotNull();
        assertThat(csp.attr("content")).contains("default-src 'none'");
    }

    @Test
    void hasEverySectionAndItsChart() {
        for (String id : new String[] {"totals", "spend-by-agent", "spend-by-model", "decisions", "sessions", "loops",
            "refusals", "latency"}) {
            assertThat(page.getElementById(id)).as(id).isNotNull();
        }
        for (String chart : new String[] {"chart-spend-agent", "chart-spend-model", "chart-actions", "chart-refusals",
            "chart-latency"}) {
            Element svg = page.getElementById(chart);
            assertThat(svg).as(chart).isNotNull();
            assertThat(svg.tagName()).isEqualTo("svg");
            assertThat(svg.select("rect")).as(chart).isNotEmpty();
            assertThat(svg.select("rect > title")).as(chart + ": every bar says what it is").hasSameSizeAs(svg.select("rect"));
        }
    }

    @Test
    void barsOfTheActionChartMatchTheDecisions() {
        Element svg = page.getElementById("chart-actions");
        long blocks = run.pre().stream().filter(e -> e.action().id().equals("block")).count();
        assertThat(svg.select("rect > title").eachText()).contains("block: " + blocks);
        // the longest bar is the most frequent action
        long allows = run.pre().stream().filter(e -> e.action().id().equals("allow")).count();
        Element longest = svg.select("rect").stream().max(java.util.Comparator.comparingDouble(r ->
                Double.parseDouble(r.attr("width")))).orElseThrow();
        assertThat(longest.selectFirst("title").text()).isEqualTo("allow: " + allows);
    }

    @Test
    void costliestSessionsTableLeadsWithTheSessionThatSpentMost() {
        java.util.Map<String, Long> bySession = new java.util.HashMap<>();
        run.post().stream().filter(e -> e.kind() == CallKind.MODEL_CALL && e.costNanos() > 0)
                .forEach(e -> bySession.merge(e.scope().session(), e.costNanos(), Long::sum));
        var top = bySession.entrySet().stream().max(java.util.Map.Entry.comparingByValue()).orElseThrow();

        Element firstRow = page.select("#costliest tr").get(1);
        assertThat(firstRow.child(0).text()).isEqualTo(top.getKey());
        assertThat(firstRow.child(2).text()).isEqualTo("$" + Money.format(top.getValue()));
        long spend = run.post().stream().filter(e -> e.kind() == CallKind.MODEL_CALL && e.costNanos() > 0)
                .mapToLong(DecisionEvent.CallSettled::costNanos).sum();
        assertThat(page.select("#totals .card b").first().text()).isEqualTo("$" + Money.format(spend));
    }

    @Test
    void textFromTheRecordsIsEscaped() throws Exception {
        // a hostile session id in an otherwise valid record must come out as text, never as markup
        Path file = dir.resolve("hostile/audit.jsonl");
        Files.createDirectories(file.getParent());
        Files.writeString(file, "{\"seq\":1,\"ts\":\"2026-03-02T09:00:00Z\",\"guard\":\"g\",\"kind\":\"model_call\","
                + "\"phase\":\"pre\",\"action\":\"block\",\"rule\":\"r\",\"reason\":\"<img src=x onerror=alert(1)>\","
                + "\"session\":\"<script>alert(1)</script>\",\"model\":\"m\"}\n");
        Path out = dir.resolve("hostile.html");
        assertThat(Cli.run("report", "--allow", "-o", out.toString(), file.toString()).status()).isEqualTo(2);
        Cli.Run r = Cli.run("report", "-o", out.toString(), file.toString());
        assertThat(r.status()).as(r.toString()).isEqualTo(0);
        Document hostile = Jsoup.parse(out.toFile(), "UTF-8");
        assertThat(hostile.select("script, img")).isEmpty();
        assertThat(hostile.select("#refusal-list").text()).contains("<script>alert(1)</script>")
                .contains("<img src=x onerror=alert(1)>");
    }
}

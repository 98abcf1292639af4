package dev.agentguard.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentguard.core.DecisionEvent;
import dev.agentguard.core.common.CallKind;
import dev.agentguard.core.common.Money;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code agent-guard report} over an audit file written by real guarded calls. What each figure should be is
 * computed here from the guard's decision events, not from the file the report reads.
 */
class ReportCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> REFUSING = Set.of("feedback", "finalAnswer", "block", "suspend");

    @TempDir
    Path dir;

    private RecordedRun run;

    @BeforeEach
    void record() {
        run = RecordedRun.demo(dir.resolve("logs/agent-guard-audit.jsonl"));
    }

    private JsonNode jsonReport(String... inputs) throws Exception {
        List<String> args = new ArrayList<>(List.of("report", "--format", "json"));
        args.addAll(List.of(inputs));
        Cli.Run r = Cli.run(args.toArray(String[]::new));
        assertThat(r.status()).as(r.toString()).isEqualTo(0);
        return JSON.readTree(r.out());
    }

    private static long nanos(JsonNode usd) {
        return Money.usd(usd.asText()).nanos();
    }

    private boolean modelPost(DecisionEvent.CallSettled e) {
        return e.kind() == CallKind.MODEL_CALL && e.costNanos() >= 0;
    }

    @Test
    void totalsAndDecisionsMatchWhatTheGuardDecided() throws Exception {
        JsonNode report = jsonReport(run.auditFile.toString());

        long spend = run.post().stream().filter(this::modelPost).mapToLong(DecisionEvent.CallSettled::costNanos).sum();
        Map<String, Long> byAction = run.pre().stream().collect(Collectors.groupingBy(e -> e.action().id(),
                TreeMap::new, Collectors.counting()));
        long refused = run.pre().stream().filter(e -> REFUSING.contains(e.action().id())).count();

        assertThat(spend).isPositive();
        assertThat(nanos(report.get("spendUsd"))).isEqualTo(spend);
        assertThat(report.get("records").asLong()).isEqualTo(run.events.size());
        assertThat(report.get("modelCalls").asLong())
                .isEqualTo(run.pre().stream().filter(e -> e.kind() == CallKind.MODEL_CALL).count());
        assertThat(report.get("toolCalls").asLong())
                .isEqualTo(run.pre().stream().filter(e -> e.kind() == CallKind.TOOL_CALL).count());
        Map<String, Long> reported = new TreeMap<>();
        report.get("decisionsByAction").fields().forEachRemaining(f -> reported.put(f.getKey(), f.getValue().asLong()));
        assertThat(reported).isEqualTo(byAction);
        // the scenarios reach every kind of action they were written for
        assertThat(byAction).containsKeys("allow", "warn", "downgrade", "truncate", "feedback", "block");
        assertThat(report.get("refusals").get("total").asLong()).isEqualTo(refused);
        assertThat(report.get("failedCalls").asLong()).isEqualTo(1);
        assertThat(report.get("outcomes").get("java.io.IOException").asLong()).isEqualTo(1);
        assertThat(report.get("from").asText()).isEqualTo(run.events.get(0).timestamp().toString());
        assertThat(report.get("to").asText()).isEqualTo(run.events.get(run.events.size() - 1).timestamp().toString());
    }

    @Test
    void sessionsAreRankedBySpend() throws Exception {
        JsonNode report = jsonReport(run.auditFile.toString());

        Map<String, Long> bySession = new HashMap<>();
        run.post().stream().filter(this::modelPost)
                .forEach(e -> bySession.merge(e.scope().session(), e.costNanos(), Long::sum));
        List<String> expectedOrder = bySession.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed()).map(Map.Entry::getKey).toList();

        JsonNode costliest = report.get("sessions").get("costliest");
        List<String> order = new ArrayList<>();
        costliest.forEach(s -> {
            order.add(s.get("session").asText());
            assertThat(nanos(s.get("spendUsd"))).as(s.toString()).isEqualTo(bySession.get(s.get("session").asText()));
        });
        assertThat(order).isEqualTo(expectedOrder);
        assertThat(report.get("sessions").get("maxUnderCountUsd").asText()).isEqualTo("0.00");
    }

    @Test
    void spendOverTimeAddsUpPerAgentAndModel() throws Exception {
        JsonNode report = jsonReport(run.auditFile.toString());

        Map<String, Long> byAgent = new TreeMap<>();
        Map<String, Long> byModel = new TreeMap<>();
        run.post().stream().filter(this::modelPost).filter(e -> e.costNanos() > 0).forEach(e -> {
            byAgent.merge(e.scope().agent(), e.costNanos(), Long::sum);
            byModel.merge(e.model(), e.costNanos(), Long::sum);
        });
        assertThat(sums(report.get("spendOverTime").get("byAgent"))).isEqualTo(byAgent);
        assertThat(sums(report.get("spendOverTime").get("byModel"))).isEqualTo(byModel);
        assertThat(byModel).containsKeys("gpt-4.1", "gpt-4.1-mini"); // the downgrade shows
    }

    private static Map<String, Long> sums(JsonNode series) {
        Map<String, Long> out = new TreeMap<>();
        series.fields().forEachRemaining(f -> {
            long s = 0;
            for (JsonNode v : f.getValue()) {
                s += nanos(v);
            }
            out.put(f.getKey(), s);
        });
        return out;
    }

    @Test
    void loopIncidentsAndRefusalsCarryRuleAndReason() throws Exception {
        JsonNode report = jsonReport(run.auditFile.toString());

        long flagged = run.pre().stream().filter(e -> e.decision().fired().stream()
                .anyMatch(f -> f.rule().equals("loops.identicalToolCalls"))).count();
        JsonNode incidents = report.get("loopIncidents").get("incidents");
        assertThat(incidents).hasSize(1);
        JsonNode loop = incidents.get(0);
        assertThat(loop.get("rule").asText()).isEqualTo("loops.identicalToolCalls");
        assertThat(loop.get("session").asText()).isEqualTo("loop-1");
        assertThat(loop.get("subject").asText()).isEqualTo("lookup_order");
        assertThat(loop.get("calls").asLong()).isEqualTo(flagged);
        assertThat(loop.get("worstAction").asText()).isEqualTo("block");

        List<DecisionEvent.CallAdmitted> refusals = run.pre().stream().filter(e -> REFUSING.contains(e.action().id())).toList();
        JsonNode latest = report.get("refusals").get("latest");
        assertThat(latest).hasSize(refusals.size());
        for (int i = 0; i < refusals.size(); i++) {
            assertThat(latest.get(i).get("rule").asText()).isEqualTo(refusals.get(i).decision().rule());
            assertThat(latest.get(i).get("action").asText()).isEqualTo(refusals.get(i).action().id());
            assertThat(latest.get(i).get("reason").asText()).isNotBlank();
        }
    }

    @Test
    void latencyPercentilesAreWithinThreePercentAboveTheExactOnes() throws Exception {
        JsonNode report = jsonReport(run.auditFile.toString());

        Map<String, List<Long>> latencies = new TreeMap<>();
        run.post().stream().filter(this::modelPost)
                .forEach(e -> latencies.computeIfAbsent(e.model(), k -> new ArrayList<>()).add(e.latencyNanos() / 1_000_000));
        assertThat(report.get("models").size()).isEqualTo(latencies.size());
        latencies.forEach((model, values) -> {
            values.sort(null);
            JsonNode m = report.get("models").get(model);
            assertThat(m.get("calls").asLong()).isEqualTo(values.size());
            for (double q : new double[] {0.5, 0.9, 0.99}) {
                long exact = values.get((int) Math.ceil(q * values.size()) - 1);
                long reported = m.get("latencyMs").get("p" + Math.round(q * 100)).asLong();
                assertThat(reported).as(model + " p" + q).isBetween(exact, exact + exact * 32 / 1000 + 1);
            }
            assertThat(m.get("latencyMs").get("max").asLong()).isEqualTo(values.get(values.size() - 1));
        });
    }

    @Test
    void markdownShowsTheSameFiguresAndNoSecret() throws Exception {
        Cli.Run r = Cli.run("report", run.auditFile.toString());

        assertThat(r.status()).as(r.toString()).isEqualTo(0);
        long spend = run.post().stream().filter(this::modelPost).mapToLong(DecisionEvent.CallSettled::costNanos).sum();
        assertThat(r.out()).startsWith("# agent-guard report").contains("| spend | $" + Money.format(spend) + " |")
                .contains("## Costliest sessions").contains("| loops.identicalToolCalls | loop-1 | support |"
                        + " lookup_order |")
                .doesNotContain(RecordedRun.EMAIL);
        assertThat(Files.readString(run.auditFile)).doesNotContain(RecordedRun.EMAIL); // redacted at the source
    }

    @Test
    void writesToAFileInTheFormatOfItsExtension() throws Exception {
        Path out = dir.resolve("out/report.html");

        Cli.Run r = Cli.run("report", "--out", out.toString(), dir.resolve("logs").toString());

        assertThat(r.status()).as(r.toString()).isEqualTo(0);
        assertThat(r.out()).contains("wrote " + out);
        assertThat(Files.readString(out)).startsWith("<!DOCTYPE html>").doesNotContain(RecordedRun.EMAIL);
        assertThat(Files.list(out.getParent())).containsExactly(out); // no temporary file left behind

        Cli.Run unknown = Cli.run("report", "--out", dir.resolve("report.txt").toString(), run.auditFile.toString());
        assertThat(unknown.status()).isEqualTo(2);
        assertThat(unknown.err()).contains("--format");
    }

    @Test
    void aLineThatIsNotARecordIsCountedAndExitsOne() throws Exception {
        Files.writeString(run.auditFile, "this is not json\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);

        Cli.Run r = Cli.run("report", "--format", "json", run.auditFile.toString());

        assertThat(r.status()).isEqualTo(1);
        assertThat(r.err()).contains("1 lines are not decision records").contains("agent-guard-audit.jsonl:"
                + (run.events.size() + 1));
        JsonNode report = JSON.readTree(r.out());
        assertThat(report.get("unreadableLines").asLong()).isEqualTo(1);
        assertThat(report.get("records").asLong()).isEqualTo(run.events.size());
    }

    @Test
    void twoSetsAreReportedTogether() throws Exception {
        RecordedRun other = RecordedRun.demo(dir.resolve("logs/other.jsonl"));

        JsonNode report = jsonReport(dir.resolve("logs").toString());

        assertThat(report.get("sets")).hasSize(2);
        assertThat(report.get("records").asLong()).isEqualTo(run.events.size() + other.events.size());
        long spend = run.post().stream().filter(this::modelPost).mapToLong(DecisionEvent.CallSettled::costNanos).sum()
                + other.post().stream().filter(this::modelPost).mapToLong(DecisionEvent.CallSettled::costNanos).sum();
        assertThat(nanos(report.get("spendUsd"))).isEqualTo(spend);
        assertThat(report.get("lines").asDouble()).isCloseTo(run.events.size() + other.events.size(), within(0.1));
    }
}

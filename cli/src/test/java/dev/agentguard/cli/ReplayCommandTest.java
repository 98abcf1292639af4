package dev.agentguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentguard.core.DecisionEvent;
import dev.agentguard.core.common.CallKind;
import dev.agentguard.core.common.Money;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code agent-guard replay}: the demo's scenarios are recorded under the fixtures' policy, then replayed under a
 * stricter and a looser one. What replay should find is computed independently, by running the same scenarios live
 * under the candidate policy and comparing each call's decision with the recorded one.
 */
class ReplayCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> REFUSING = Set.of("feedback", "finalAnswer", "block", "suspend");

    /** A smaller session budget, and loops blocked one call earlier. */
    static final String STRICTER = RecordedRun.POLICY.replace("limit: { costUsd: 0.04 }", "limit: { costUsd: 0.02 }")
            .replace("identicalToolCalls: { warnAt: 3, blockAt: 5 }", "identicalToolCalls: { warnAt: 2, blockAt: 4 }");
    /** A budget the scenarios never reach, and loops allowed to run longer. */
    static final String LOOSER = RecordedRun.POLICY.replace("limit: { costUsd: 0.04 }", "limit: { costUsd: 5.00 }")
            .replace("identicalToolCalls: { warnAt: 3, blockAt: 5 }", "identicalToolCalls: { warnAt: 10, blockAt: 20 }");

    @TempDir
    Path dir;

    private RecordedRun recorded;

    @BeforeEach
    void record() {
        recorded = RecordedRun.demo(dir.resolve("logs/agent-guard-audit.jsonl"));
    }

    private JsonNode replay(String policy) throws Exception {
        Path file = dir.resolve("candidate.yaml");
        Files.writeString(file, policy);
        Cli.Run r = Cli.run("replay", "--json", "--policy", file.toString(), recorded.auditFile.toString());
        assertThat(r.status()).as(r.toString()).isIn(0, 1);
        return JSON.readTree(r.out());
    }

    /** What replay should report, from the recorded run and a live run of the same scenarios under the candidate. */
    private record Expected(long unchanged, long refusedNow, long allowedNow, long downgradedNow,
            Map<String, Long> refusedNowByRule, Map<String, Long> firstDivergenceSeq, long liveSpend,
            long newlyAllowedActual, long newlyAllowedWorstCase) {
    }

    private Expected expect(String candidate) {
        RecordedRun live = RecordedRun.demo(dir.resolve("live/audit.jsonl"), candidate);
        List<DecisionEvent.CallAdmitted> was = recorded.pre();
        List<DecisionEvent.CallAdmitted> now = live.pre();
        assertThat(now).hasSameSizeAs(was); // the scenarios make the same calls whatever is decided
        long unchanged = 0;
        long refusedNow = 0;
        long allowedNow = 0;
        long downgradedNow = 0;
        Map<String, Long> byRule = new TreeMap<>();
        Map<String, Long> first = new HashMap<>();
        List<DecisionEvent.CallAdmitted> newlyAllowed = new java.util.ArrayList<>();
        for (int i = 0; i < was.size(); i++) {
            DecisionEvent.CallAdmitted w = was.get(i);
            DecisionEvent.CallAdmitted n = now.get(i);
            String a = w.action().id();
            String b = n.action().id();
            if (a.equals(b) && Objects.equals(w.decision().rule(), n.decision().rule())) {
                unchanged++;
                continue;
            }
            first.putIfAbsent(w.scope().session(), w.seq());
            if (REFUSING.contains(b) && !REFUSING.contains(a)) {
                refusedNow++;
                byRule.merge(n.decision().rule(), 1L, Long::sum);
            } else if (REFUSING.contains(a) && !REFUSING.contains(b)) {
                allowedNow++;
                newlyAllowed.add(n);
            } else if (b.equals("downgrade")) {
                downgradedNow++;
            }
        }
        long liveSpend = live.post().stream().filter(e -> e.kind() == CallKind.MODEL_CALL && e.costNanos() > 0)
                .mapToLong(DecisionEvent.CallSettled::costNanos).sum();
        // a call the recording refused has no recorded usage: replay charges its worst case, which is what the live
        // run reserved for it; the live run spent its actual usage instead
        long actual = 0;
        long worst = 0;
        for (DecisionEvent.CallAdmitted n : newlyAllowed) {
            if (n.kind() != CallKind.MODEL_CALL) {
                continue;
            }
            worst += n.reservedNanos();
            int index = live.events.indexOf(n);
            DecisionEvent.CallSettled settled = (DecisionEvent.CallSettled) live.events.stream().skip(index + 1)
                    .filter(e -> e instanceof DecisionEvent.CallSettled s && s.scope().equals(n.scope())
                            && s.kind() == CallKind.MODEL_CALL)
                    .findFirst().orElseThrow();
            actual += settled.costNanos();
        }
        return new Expected(unchanged, refusedNow, allowedNow, downgradedNow, byRule, first, liveSpend, actual, worst);
    }

    private static Map<String, Long> longs(JsonNode object) {
        Map<String, Long> m = new TreeMap<>();
        object.fields().forEachRemaining(f -> m.put(f.getKey(), f.getValue().asLong()));
        return m;
    }

    @Test
    void theRecordingsOwnPolicyChangesNothing() throws Exception {
        Path file = dir.resolve("same.yaml");
        Files.writeString(file, RecordedRun.POLICY);

        Cli.Run r = Cli.run("replay", "--policy", file.toString(), recorded.auditFile.toString());

        assertThat(r.status()).as(r.toString()).isEqualTo(0);
        long spend = recorded.post().stream().filter(e -> e.kind() == CallKind.MODEL_CALL && e.costNanos() > 0)
                .mapToLong(DecisionEvent.CallSettled::costNanos).sum();
        assertThat(r.out()).contains("replayed " + recorded.pre().size() + " decisions")
                .containsPattern("unchanged +" + recorded.pre().size() + "\n")
                .contains("spend: recorded $" + Money.format(spend) + ", under the candidate $" + Money.format(spend)
                        + ", saved $0.00");
    }

    @Test
    void aStricterPolicyRefusesMoreAndSpendsLess() throws Exception {
        Expected e = expect(STRICTER);
        JsonNode r = replay(STRICTER);

        assertThat(e.refusedNow()).as("the stricter policy refuses calls that ran").isPositive();
        assertThat(r.get("decisions").asLong()).isEqualTo(recorded.pre().size());
        assertThat(r.get("unchanged").asLong()).isEqualTo(e.unchanged());
        assertThat(r.get("refusedNow").asLong()).isEqualTo(e.refusedNow());
        assertThat(r.get("allowedNow").asLong()).isEqualTo(e.allowedNow()).isZero();
        assertThat(r.get("downgradedNow").asLong()).isEqualTo(e.downgradedNow());
        assertThat(longs(r.get("refusedNowByRule"))).isEqualTo(e.refusedNowByRule())
                .containsKeys("budgets.session-10m", "loops.identicalToolCalls");
        assertThat(Money.usd(r.get("replayedSpendUsd").asText()).nanos()).isEqualTo(e.liveSpend());
        assertThat(Money.usd(r.get("savedUsd").asText()).nanos()).isPositive();
        Map<String, Long> first = new HashMap<>();
        r.get("firstDivergence").forEach(d -> first.put(d.get("session").asText(), d.get("seq").asLong()));
        assertThat(first).isEqualTo(e.firstDivergenceSeq());
    }

    @Test
    void aLooserPolicyAllowsWhatWasRefusedAndChargesItsWorstCase() throws Exception {
        Expected e = expect(LOOSER);
        JsonNode r = replay(LOOSER);

        assertThat(e.allowedNow()).as("the looser policy allows calls that were refused").isPositive();
        assertThat(r.get("allowedNow").asLong()).isEqualTo(e.allowedNow());
        assertThat(r.get("refusedNow").asLong()).isEqualTo(e.refusedNow()).isZero();
        assertThat(r.get("unchanged").asLong()).isEqualTo(e.unchanged());
        assertThat(r.get("chargedWorstCase").asLong()).isEqualTo(e.allowedNow());
        assertThat(Money.usd(r.get("replayedSpendUsd").asText()).nanos())
                .isEqualTo(e.liveSpend() - e.newlyAllowedActual() + e.newlyAllowedWorstCase());
        assertThat(Money.usd(r.get("savedUsd").asText()).nanos()).isNegative();
        Map<String, Long> first = new HashMap<>();
        r.get("firstDivergence").forEach(d -> first.put(d.get("session").asText(), d.get("seq").asLong()));
        assertThat(first).isEqualTo(e.firstDivergenceSeq());
    }

    @Test
    void aPolicyThatDoesNotLoadIsBadUsage() throws Exception {
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, "version: 1\nname: x\nmode: sometimes\n");

        Cli.Run r = Cli.run("replay", "--policy", bad.toString(), recorded.auditFile.toString());

        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).contains("the candidate policy does not load").contains("bad.yaml:3");
        assertThat(Cli.run("replay", recorded.auditFile.toString()).status()).isEqualTo(2); // --policy is required
    }

    @Test
    void recordsOfVersionTwoCarryTheRequestAndNoRawArguments() throws Exception {
        List<String> lines = Files.readAllLines(recorded.auditFile);
        JsonNode model = JSON.readTree(lines.get(0));
        assertThat(model.get("v").asInt()).isEqualTo(2);
        assertThat(model.get("promptTokens").asLong()).isEqualTo(400);
        assertThat(model.get("maxOutputTokens").asLong()).isEqualTo(1000);
        assertThat(model.get("provider").asText()).isEqualTo("openai");
        JsonNode tool = lines.stream().map(l -> {
            try {
                return JSON.readTree(l);
            } catch (Exception ex) {
                throw new IllegalStateException(ex);
            }
        }).filter(n -> n.path("kind").asText().equals("tool_call") && n.path("phase").asText().equals("pre"))
                .findFirst().orElseThrow();
        assertThat(tool.get("argumentsFingerprint").asText()).matches("[0-9a-f]{16}");
        assertThat(Files.readString(recorded.auditFile)).doesNotContain(RecordedRun.EMAIL);
    }

    @Test
    void versionOneRecordsReplayWithoutPromptSizesAndSaySo() throws Exception {
        Path v1 = dir.resolve("v1/agent-guard-audit.jsonl");
        Files.createDirectories(v1.getParent());
        List<String> lines = new java.util.ArrayList<>();
        for (String line : Files.readAllLines(recorded.auditFile)) {
            com.fasterxml.jackson.databind.node.ObjectNode n = (com.fasterxml.jackson.databind.node.ObjectNode)
                    JSON.readTree(line);
            n.remove(List.of("v", "provider", "promptTokens", "maxOutputTokens", "requestFingerprint",
                    "continuesToolResult", "argumentsFingerprint", "turn"));
            lines.add(JSON.writeValueAsString(n));
        }
        Files.write(v1, lines);
        Path policy = dir.resolve("same.yaml");
        Files.writeString(policy, RecordedRun.POLICY);

        Cli.Run r = Cli.run("replay", "--json", "--policy", policy.toString(), v1.toString());

        JsonNode json = JSON.readTree(r.out());
        assertThat(json.get("version1Records").asLong()).isEqualTo(recorded.pre().size());
        assertThat(json.get("decisions").asLong()).isEqualTo(recorded.pre().size());
        assertThat(json.get("unmatchedSettlements").asLong()).isZero();
        Cli.Run text = Cli.run("replay", "--policy", policy.toString(), v1.toString());
        assertThat(text.out()).contains("note: " + recorded.pre().size() + " admissions are version-1 records");
    }

    @Test
    void eachSetOfADirectoryIsReplayedOnItsOwnGuardAndTheTalliesAddUp() throws Exception {
        RecordedRun other = RecordedRun.demo(dir.resolve("logs/other.jsonl"));
        Path policy = dir.resolve("strict.yaml");
        Files.writeString(policy, STRICTER);

        JsonNode both = JSON.readTree(Cli.run("replay", "--json", "--policy", policy.toString(),
                dir.resolve("logs").toString()).out());
        JsonNode one = JSON.readTree(Cli.run("replay", "--json", "--policy", policy.toString(),
                recorded.auditFile.toString()).out());

        assertThat(both.get("sets")).hasSize(2);
        assertThat(both.get("decisions").asLong()).isEqualTo(recorded.pre().size() + other.pre().size());
        // the same scenarios on fresh guards: the second set changes exactly as the first
        assertThat(both.get("refusedNow").asLong()).isEqualTo(2 * one.get("refusedNow").asLong());
        assertThat(Money.usd(both.get("savedUsd").asText()).nanos())
                .isEqualTo(2 * Money.usd(one.get("savedUsd").asText()).nanos());
    }
}

package dev.agentguard.examples.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the whole demo in-process, on the simulator, and checks what its audit file says happened in each
 * scenario: the file is the evidence, not the console.
 */
class DemoIT {

    @TempDir
    static Path dir;

    static Demo.Result result;
    static String console;
    static List<JsonNode> records;

    @BeforeAll
    static void runTheDemo() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        result = Demo.run(dir, Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8));
        console = out.toString(StandardCharsets.UTF_8);
        records = AuditSummary.read(result.auditFile).records();
    }

    private static List<JsonNode> of(String session, Predicate<JsonNode> filter) {
        return records.stream().filter(r -> session.equals(r.path("session").asText()))
                .filter(filter).collect(Collectors.toList());
    }

    private static Predicate<JsonNode> pre(String kind) {
        return r -> "pre".equals(r.path("phase").asText()) && kind.equals(r.path("kind").asText());
    }

    private static Predicate<JsonNode> post(String kind) {
        return r -> "post".equals(r.path("phase").asText()) && kind.equals(r.path("kind").asText());
    }

    private static List<String> actions(List<JsonNode> rs) {
        return rs.stream().map(r -> r.path("action").asText()).collect(Collectors.toList());
    }

    private static BigDecimal cost(List<JsonNode> rs) {
        return rs.stream().filter(r -> r.hasNonNull("costUsd")).map(r -> new BigDecimal(r.get("costUsd").asText()))
                .reduce(BigDecimal.ZERO, BigDecimal::add);
    }

    @Test
    void theDemoSucceedsPrintsEveryScenarioAndItsAuditChainVerifies() {
        assertThat(result.ok()).isTrue();
        assertThat(result.verification.ok()).as(result.verification.toString()).isTrue();
        assertThat(result.verification.records()).isEqualTo(records.size());
        assertThat(console).contains("1. A tool loop", "2. A growing context", "3. A session that spends",
                "4. A model in trouble", "5. Eight sessions at once", "Summary, read back from the audit file",
                "Hash chain: OK");
        assertThat(console).contains(result.auditFile.toAbsolutePath().toString());
    }

    @Test
    void theToolLoopIsWarnedThenRefusedWithFeedbackThenBlocked() {
        List<JsonNode> tools = of("loop-1", pre("tool_call"));
        assertThat(actions(tools)).containsExactly("allow", "allow", "warn", "warn", "feedback", "block");
        assertThat(tools.subList(2, 6)).allSatisfy(r ->
                assertThat(r.path("rule").asText()).isEqualTo("loops.identicalToolCalls"));
        assertThat(of("loop-1", post("tool_call"))).as("only the admitted calls ran").hasSize(4);
    }

    @Test
    void theToolArgumentsAreRedactedInTheAuditFile() throws Exception {
        String file = Files.readString(result.auditFile);
        assertThat(file).doesNotContain("jane.doe@example.com").contains("[REDACTED:email]");
    }

    @Test
    void theGrowingContextIsTruncatedToThePromptCap() {
        List<JsonNode> truncated = of("chat-2", pre("model_call")).stream()
                .filter(r -> "truncate".equals(r.path("action").asText())).collect(Collectors.toList());
        assertThat(truncated).isNotEmpty().allSatisfy(r -> {
            assertThat(r.path("rule").asText()).isEqualTo("caps.promptTokens");
            assertThat(r.path("observed").asLong()).isGreaterThan(r.path("limit").asLong());
        });
        List<JsonNode> dropped = of("chat-2", post("model_call")).stream().filter(r -> r.has("truncated"))
                .collect(Collectors.toList());
        assertThat(dropped).as("each truncated call's record says what was dropped").hasSameSizeAs(truncated)
                .allSatisfy(r -> assertThat(r.path("truncated").path("messages").asLong()).isPositive());
        long cap = truncated.get(0).path("limit").asLong();
        assertThat(of("chat-2", post("model_call"))).as("what was sent after truncation fits the cap")
                .allSatisfy(r -> assertThat(r.path("usage").path("input").asLong()
                        + r.path("usage").path("cacheRead").asLong()).isLessThanOrEqualTo(cap));
    }

    @Test
    void spendPastDowngradeAtMovesToTheCheaperModelThenTheHardLimitBlocks() {
        List<JsonNode> calls = of("report-3", pre("model_call"));
        List<String> actions = actions(calls);
        int firstDowngrade = actions.indexOf("downgrade");
        assertThat(firstDowngrade).isPositive();
        assertThat(actions.get(actions.size() - 1)).isEqualTo("block");
        assertThat(actions.subList(firstDowngrade, actions.size() - 1)).containsOnly("downgrade");
        JsonNode downgrade = calls.get(firstDowngrade);
        assertThat(downgrade.path("rule").asText()).isEqualTo("budgets.session-10m");
        assertThat(downgrade.path("requestedModel").asText()).isEqualTo(Endpoint.PRIMARY);
        assertThat(downgrade.path("model").asText()).isEqualTo(Endpoint.CHEAP);
        assertThat(calls.get(calls.size() - 1).path("rule").asText()).isEqualTo("budgets.session-10m");

        List<JsonNode> made = of("report-3", post("model_call"));
        assertThat(made.subList(firstDowngrade, made.size())).as("after the downgrade, the cheaper model answered")
                .allSatisfy(r -> assertThat(r.path("model").asText()).isEqualTo(Endpoint.CHEAP));
        assertThat(cost(made)).isLessThanOrEqualTo(new BigDecimal("0.04"));
    }

    @Test
    void anUnhealthyModelIsRoutedAroundAndUsedAgainOnceItRecovers() {
        List<JsonNode> records = of("health-4", r -> true);
        int firstHealthDowngrade = -1;
        for (int i = 0; i < records.size(); i++) {
            JsonNode r = records.get(i);
            if ("downgrade".equals(r.path("action").asText()) && r.path("rule").asText().startsWith("health.")) {
                firstHealthDowngrade = i;
                break;
            }
        }
        assertThat(firstHealthDowngrade).as("a health downgrade").isNotNegative();
        assertThat(records.get(firstHealthDowngrade).path("model").asText()).isEqualTo(Endpoint.CHEAP);
        List<JsonNode> after = records.subList(firstHealthDowngrade, records.size());
        int lastDowngrade = 0;
        for (int i = 0; i < after.size(); i++) {
            if ("downgrade".equals(after.get(i).path("action").asText())) {
                lastDowngrade = i;
            }
        }
        // the calls are sequential: the record after the last downgrade is that call's own post record
        assertThat(after.get(lastDowngrade + 1).path("model").asText()).isEqualTo(Endpoint.CHEAP);
        List<JsonNode> back = after.subList(lastDowngrade + 2, after.size()).stream().filter(post("model_call"))
                .collect(Collectors.toList());
        assertThat(back).as("the primary model answers again after its cooldown").isNotEmpty()
                .allSatisfy(r -> {
                    assertThat(r.path("model").asText()).isEqualTo(Endpoint.PRIMARY);
                    assertThat(r.path("outcome").asText()).isEqualTo("ok");
                });
        assertThat(of("health-4", post("model_call")).stream().map(r -> r.path("outcome").asText()))
                .as("the failures were recorded too").contains("ok").anyMatch(o -> !o.equals("ok"));
    }

    @Test
    void concurrentSessionsNeverSpendMoreThanTheirSharedAgentBudget() {
        List<JsonNode> crew = records.stream().filter(r -> "research-crew".equals(r.path("agent").asText()))
                .collect(Collectors.toList());
        BigDecimal spent = cost(crew);
        assertThat(spent).isLessThanOrEqualTo(new BigDecimal("0.05"));
        assertThat(spent.movePointRight(9).longValueExact()).as("the ledger and the audit file agree")
                .isEqualTo(result.shared.spentNanos);
        List<JsonNode> blocks = crew.stream().filter(r -> "block".equals(r.path("action").asText()))
                .collect(Collectors.toList());
        assertThat(blocks).hasSize(result.shared.sessions).allSatisfy(r ->
                assertThat(r.path("rule").asText()).isEqualTo("budgets.agent-1h"));
        assertThat(crew.stream().map(r -> r.path("session").asText()).distinct()).hasSize(result.shared.sessions);
        assertThat(result.shared.refused).isEqualTo(result.shared.sessions);
    }
}

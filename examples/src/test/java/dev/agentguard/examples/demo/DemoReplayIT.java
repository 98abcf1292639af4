package dev.agentguard.examples.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentguard.cli.AgentGuardCli;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code agent-guard replay} on the audit file of the real demo (LangChain4j AI services through the adapter, on the
 * simulator), under the policy it was recorded with: every call of the sequential scenarios is decided as recorded.
 * In the fifth scenario eight sessions race for one agent budget, and the file holds their decisions in the order
 * the guard published them, which is not always the order in which they reserved: replay may then admit one call
 * and refuse another in its place. It never changes how many were refused.
 */
class DemoReplayIT {

    @TempDir
    Path dir;

    @Test
    void theDemoReplayedUnderItsOwnPolicyDecidesEveryCallAsRecorded() throws Exception {
        Demo.Result result = Demo.run(dir.resolve("demo"), Map.of(),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        Path policy = dir.resolve("demo.yaml");
        try (InputStream in = Demo.class.getClassLoader().getResourceAsStream(Demo.POLICY)) {
            Files.copy(in, policy);
        }
        List<JsonNode> records = AuditSummary.read(result.auditFile).records();
        long admissions = records.stream().filter(r -> "pre".equals(r.path("phase").asText())).count();
        BigDecimal spend = records.stream().filter(r -> "post".equals(r.path("phase").asText()))
                .filter(r -> r.hasNonNull("costUsd")).map(r -> new BigDecimal(r.get("costUsd").asText()))
                .reduce(BigDecimal.ZERO, BigDecimal::add);

        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = AgentGuardCli.execute(new String[] {"replay", "--json", "--policy", policy.toString(),
            result.auditFile.toString()}, new PrintWriter(out), new PrintWriter(err), name -> null);

        assertThat(status).as(out + "\n" + err).isIn(0, 1);
        JsonNode r = new ObjectMapper().readTree(out.toString());
        assertThat(r.get("decisions").asLong()).isEqualTo(admissions).isGreaterThan(50);
        assertThat(r.get("version1Records").asLong()).isZero();
        assertThat(r.get("unmatchedSettlements").asLong()).isZero();
        assertThat(new BigDecimal(r.get("recordedSpendUsd").asText())).isEqualByComparingTo(spend);
        // only the racing sessions may differ
        for (JsonNode d : r.get("firstDivergence")) {
            assertThat(d.get("session").asText()).as(d.toString()).startsWith("research-");
        }
        // which racing call is refused depends on the order they reserved in, and since they differ in size, so can
        // how many: only the racing calls may change
        long racing = records.stream().filter(x -> "pre".equals(x.path("phase").asText()))
                .filter(x -> x.path("session").asText().startsWith("research-")).count();
        assertThat(r.get("refusedNow").asLong() + r.get("allowedNow").asLong()).isLessThanOrEqualTo(racing);
        assertThat(r.get("downgradedNow").asLong() + r.get("truncatedNow").asLong() + r.get("otherChanges").asLong())
                .isZero();
        if (r.get("unchanged").asLong() == admissions) {
            assertThat(status).isZero();
            assertThat(new BigDecimal(r.get("replayedSpendUsd").asText())).isEqualByComparingTo(spend);
        }
    }
}

package dev.agentguard.examples.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.embedded.core.ExecutableProvider;

/**
 * Runs the demo's fleet mode, three JVMs against a redis-server that the test starts, and checks from the JVMs'
 * audit files, not from the console, that they shared the budget: several of them spent and were refused, together
 * they stayed within the limit, and Redis holds exactly what their files record. Without a redis-server on the PATH
 * it uses the embedded-redis jar's binary, else it is skipped; with {@code -Dagentguard.servers=required} a missing
 * redis-server fails it.
 */
class DemoFleetIT {

    private static final int JVMS = 3;

    @TempDir
    static Path dir;

    static LocalRedis redis;
    static FleetSummary summary;
    static String console;

    @BeforeAll
    static void runTheFleet() throws Exception {
        redis = startRedis();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        summary = Fleet.run(JVMS, dir, Map.of("REDIS_URL", redis.uri()), new PrintStream(out, true,
                StandardCharsets.UTF_8));
        console = out.toString(StandardCharsets.UTF_8);
    }

    private static LocalRedis startRedis() {
        Optional<ExecutableProvider> onPath = LocalRedis.onPath();
        if (onPath.isPresent()) {
            return LocalRedis.start(onPath.get());
        }
        String missing = "redis-server is not installed (Debian package: redis-server; apt-get install -y"
                + " redis-server)";
        if ("required".equals(System.getProperty("agentguard.servers"))) {
            throw new IllegalStateException(missing + " and -Dagentguard.servers=required");
        }
        try {
            return LocalRedis.start(ExecutableProvider.newJarResourceProvider());
        } catch (IllegalStateException e) {
            Assumptions.abort(missing + ", and the embedded-redis binary cannot run here: skipped");
            throw e;
        }
    }

    @AfterAll
    static void stopRedis() {
        if (redis != null) {
            redis.close();
        }
    }

    private static List<JsonNode> records(FleetSummary.Jvm jvm) {
        return AuditSummary.read(jvm.auditFile()).records();
    }

    private static long spentNanos(List<JsonNode> records) {
        return records.stream().filter(r -> "post".equals(r.path("phase").asText()) && r.hasNonNull("costUsd"))
                .map(r -> new BigDecimal(r.get("costUsd").asText())).reduce(BigDecimal.ZERO, BigDecimal::add)
                .movePointRight(9).longValueExact();
    }

    @Test
    void theFleetSucceedsAndSaysTheLimitWasNeverPassed() {
        assertThat(summary.ok()).as(console).isTrue();
        assertThat(summary.jvms()).hasSize(JVMS).allSatisfy(j -> {
            assertThat(j.exitStatus()).as(j.name() + " exit").isZero();
            assertThat(j.chain().ok()).as(j.chain().toString()).isTrue();
        });
        assertThat(console).contains("All " + JVMS + " JVMs are ready", "Fleet summary", "never passed",
                "agree to the nano-dollar", "could have spent up to $0.30, 3x the limit");
    }

    @Test
    void togetherTheJvmsStayedWithinTheSharedLimitAndRedisHoldsWhatTheirAuditFilesRecord() {
        long fleet = 0;
        for (FleetSummary.Jvm j : summary.jvms()) {
            long spent = spentNanos(records(j));
            assertThat(spent).as(j.name() + ": the summary is its audit file's").isEqualTo(j.spentNanos());
            fleet += spent;
        }
        long limit = summary.budget().limit();
        assertThat(fleet).isLessThanOrEqualTo(limit).isEqualTo(summary.redisUsedNanos());
        assertThat(fleet).as("the budget was spent, not just touched: a further call did not fit")
                .isGreaterThan(limit / 10 * 8);
        assertThat(summary.redisReservedNanos()).isZero();
        assertThat(summary.openHolds()).isZero();
    }

    @Test
    void severalJvmsSpentAndWereRefusedOnTheSharedBudget() {
        assertThat(summary.jvmsAdmitted()).as("JVMs with calls admitted").isGreaterThan(1);
        assertThat(summary.jvmsRefused()).as("JVMs with calls refused").isGreaterThan(1);
        for (FleetSummary.Jvm j : summary.jvms()) {
            List<JsonNode> refusals = records(j).stream().filter(r -> "pre".equals(r.path("phase").asText())
                    && !"allow".equals(r.path("action").asText())).collect(Collectors.toList());
            assertThat(refusals).as(j.name() + ": each session ends on the shared budget's refusal")
                    .hasSize(Fleet.SESSIONS).allSatisfy(r -> {
                        assertThat(r.path("action").asText()).isEqualTo("block");
                        assertThat(r.path("rule").asText()).isEqualTo("budgets.agent-1h");
                        assertThat(r.path("agent").asText()).isEqualTo(Fleet.AGENT);
                    });
        }
    }
}

package dev.agentguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentguard.redis.RedisServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code agent-guard doctor} on a policy whose budgets live in Redis: a real redis-server, and one that is not there. */
class DoctorLedgerTest {

    private static RedisServer redis;

    @TempDir
    Path dir;

    @BeforeAll
    static void startRedis() {
        redis = RedisServer.start();
    }

    @AfterAll
    static void stopRedis() {
        if (redis != null) {
            redis.close();
        }
    }

    private Cli.Run doctor(String uri, String onUnavailable) throws IOException {
        Path p = dir.resolve("policy.yaml");
        Files.writeString(p, """
                version: 1
                name: fleet-bot
                budgets:
                  - { id: agent-day, scope: agent, window: 1d, limit: { costUsd: 5 } }
                ledger:
                  redis: { uri: "%s", timeout: 500ms, onUnavailable: %s }
                """.formatted(uri, onUnavailable), StandardCharsets.UTF_8);
        return Cli.run("doctor", "--project", dir.toString(), "--policy", p.toString());
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort(); // closed again: nothing listens there
        }
    }

    @Test
    void aRedisThatAnswersIsReportedWithTheFleetsOpenReservations() throws Exception {
        Cli.Run r = doctor(redis.uri(), "failClosed");

        assertThat(r.out()).as(r.toString())
                .contains("ledger   ok     redis at " + redis.uri() + " answers: 0 reservations open across the fleet")
                .doesNotContain("ledger   ERROR");
    }

    @Test
    void aRedisThatDoesNotAnswerIsAnErrorSayingWhatCallsWouldGet() throws Exception {
        String uri = "redis://127.0.0.1:" + freePort();

        Cli.Run closed = doctor(uri, "failClosed");
        Cli.Run open = doctor(uri, "failOpen");

        assertThat(closed.status()).isEqualTo(1);
        assertThat(closed.out()).contains("ledger   ERROR  Redis at " + uri)
                .contains("does not answer; under onUnavailable: failClosed every call would be refused")
                .contains("fix: start Redis or correct ledger.redis.uri");
        assertThat(open.out()).contains("under onUnavailable: failOpen the budgets would not be shared");
    }

    @Test
    void aPasswordInTheUriNeverReachesTheOutput() throws Exception {
        // this server has no password: AUTH fails, so the ledger is unavailable and the URI is printed in the error
        String uri = redis.uri().replace("redis://", "redis://:s3cret-pass@");

        Cli.Run r = doctor(uri, "failClosed");

        assertThat(r.out() + r.err()).as(r.toString()).doesNotContain("s3cret-pass").contains("redis://***@");
    }
}

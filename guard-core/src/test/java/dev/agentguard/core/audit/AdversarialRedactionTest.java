package dev.agentguard.core.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentguard.core.common.Action;
import dev.agentguard.core.Decision;
import dev.agentguard.core.DecisionEvent;
import dev.agentguard.core.FakeClock;
import dev.agentguard.core.FakeTicker;
import dev.agentguard.core.Guard;
import dev.agentguard.core.GuardConfig;
import dev.agentguard.core.GuardScope;
import dev.agentguard.core.TestEvents;
import dev.agentguard.core.ToolCall;
import dev.agentguard.core.log.CapturedDecisionLog;
import dev.agentguard.core.log.DecisionLog;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15, item 1: a tool argument that a prompt injection can make a model produce ({@code a@b.b.b...-}, 12 KB)
 * neither kills the audit writer nor escapes the decision log to the caller.
 */
class AdversarialRedactionTest {

    /** The e-mail rule of the backtracking engine overflowed the stack on this. */
    static final String AT_DOTS = "a@" + "b.".repeat(6_000) + "-";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final GuardScope SCOPE = GuardScope.builder().agent("support").session("s-1").build();

    @TempDir
    Path dir;

    @RegisterExtension
    final CapturedDecisionLog logged = new CapturedDecisionLog();

    @Test
    void theAuditWriterSurvivesAndWritesEveryRecord() throws Exception {
        FakeClock clock = new FakeClock(Instant.parse("2026-03-02T09:00:00Z"));
        Path file = dir.resolve("audit.jsonl");
        AuditSink sink = AuditSink.builder(AuditConfig.builder().file(file).shutdownHook(false).build()).clock(clock)
                .build();
        Guard guard = Guard.builder(GuardConfig.builder().name("adversary").build()).ticker(new FakeTicker())
                .clock(clock).listener(sink).build();
        String arguments = JSON.writeValueAsString(Map.of("to", AT_DOTS));
        for (int i = 0; i < 100; i++) {
            guard.admitToolCall(ToolCall.of(SCOPE, "send_mail", i % 2 == 0 ? arguments : AT_DOTS)).complete();
        }
        guard.close();

        assertThat(sink.lostRecords()).isZero();
        List<String> lines = AuditFixtures.lines(file);
        assertThat(lines).hasSize(200);
        assertThat(AuditVerifier.builder().build().verify(file).ok()).isTrue();
    }

    @Test
    void theDecisionLogNeitherThrowsNorLeaks() {
        DecisionLog log = new DecisionLog();
        Decision d = Decision.builder(Action.BLOCK).rule("test").reason("refused " + AT_DOTS + " jane@example.com")
                .build();
        DecisionEvent e = TestEvents.toolPre(1, Instant.EPOCH, d, SCOPE, "send_mail", AT_DOTS);

        assertThatCode(() -> log.onDecision(e)).doesNotThrowAnyException();
        assertThat(logged.events()).hasSize(1);
        assertThat(logged.events().get(0).getFormattedMessage()).doesNotContain("jane@example.com");
    }

    @Test
    void aLongSessionIdDoesNotReachTheCallerAsAnError() {
        String session = "s" + AT_DOTS;
        Guard guard = Guard.builder(GuardConfig.builder().name("adversary").build()).ticker(new FakeTicker())
                .listener(new DecisionLog()).build();
        GuardScope scope = GuardScope.builder().agent("support").session(session).build();

        assertThatCode(() -> guard.admitToolCall(ToolCall.of(scope, "send_mail", AT_DOTS)).complete())
                .doesNotThrowAnyException();
    }
}

package dev.agentguard.spring.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentguard.core.Decision;
import dev.agentguard.core.common.Action;
import dev.agentguard.core.common.Unit;
import dev.agentguard.langchain4j.GuardBlockedException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;

class GuardProblemsTest {

    private static final Instant NOW = Instant.parse("2026-12-04T12:00:00Z");
    private final GuardProblems problems = new GuardProblems(Clock.fixed(NOW, ZoneOffset.UTC));

    private static GuardBlockedException refused(Decision d) {
        return new GuardBlockedException("support", "model call to gpt-4o", d);
    }

    @Test
    void aBudgetRefusalIs429WithTheRuleTheReasonAndTheFigures() {
        Decision d = Decision.builder(Action.BLOCK).rule("budgets.session-10m")
                .reason("session s-1 would spend $0.05 of $0.04").figures(50_000_000L, 40_000_000L, Unit.USD).build();
        ResponseEntity<ProblemDetail> r = problems.refused(refused(d));
        assertThat(r.getStatusCode().value()).isEqualTo(429);
        ProblemDetail p = r.getBody();
        assertThat(p.getType()).isEqualTo(GuardProblems.REFUSED);
        assertThat(p.getDetail()).isEqualTo("session s-1 would spend $0.05 of $0.04");
        assertThat(p.getProperties()).containsEntry("rule", "budgets.session-10m").containsEntry("action", "block")
                .containsEntry("limit", "0.04").containsEntry("observed", "0.05").containsEntry("unit", "usd")
                .containsEntry("guard", "support").containsEntry("call", "model call to gpt-4o");
        assertThat(r.getHeaders().getFirst(HttpHeaders.RETRY_AFTER)).isNull();
    }

    @Test
    void aSuspensionSaysWhenToRetry() {
        Decision d = Decision.builder(Action.SUSPEND).rule("budgets.tenant-day").reason("suspended")
                .suspendedUntil(NOW.plusSeconds(90)).build();
        ResponseEntity<ProblemDetail> r = problems.refused(refused(d));
        assertThat(r.getStatusCode().value()).isEqualTo(429);
        assertThat(r.getHeaders().getFirst(HttpHeaders.RETRY_AFTER)).isEqualTo("90");
        assertThat(r.getBody().getProperties()).containsEntry("suspendedUntil", "2026-12-04T12:01:30Z");
    }

    @Test
    void anOperatorStopIs403AndAnUnreachableLedger503() {
        assertThat(problems.refused(refused(Decision.builder(Action.BLOCK).rule("admin.stop").reason("stopped")
                .build())).getStatusCode().value()).isEqualTo(403);
        assertThat(problems.refused(refused(Decision.builder(Action.BLOCK).rule("ledger.unavailable")
                .reason("redis down").build())).getStatusCode().value()).isEqualTo(503);
        assertThat(problems.refused(refused(Decision.builder(Action.BLOCK).rule("loops.identicalToolCalls")
                .reason("loop").build())).getStatusCode().value()).isEqualTo(429);
    }
}

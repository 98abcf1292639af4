package dev.agentguard.spring.actuate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentguard.core.Admission;
import dev.agentguard.core.Guard;
import dev.agentguard.core.GuardScope;
import dev.agentguard.core.ModelCall;
import dev.agentguard.core.common.Usage;
import dev.agentguard.policy.Policies;
import java.io.InputStream;
import java.math.BigDecimal;
import java.security.Principal;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.SecurityContext;

class AgentGuardEndpointTest {

    private Guard guard;
    private AgentGuardEndpoint endpoint;

    @BeforeEach
    void guard() throws Exception {
        try (InputStream in = getClass().getResourceAsStream("/policies/test.yaml")) {
            guard = Policies.load(in, "test.yaml");
        }
        endpoint = new AgentGuardEndpoint(guard);
    }

    @AfterEach
    void close() {
        guard.close();
    }

    private static SecurityContext as(String name) {
        return new SecurityContext() {
            @Override
            public Principal getPrincipal() {
                return name == null ? null : () -> name;
            }

            @Override
            public boolean isUserInRole(String role) {
                return false;
            }
        };
    }

    @Test
    void theOverviewListsTheBudgetsWithTheGlobalFill() {
        AgentGuardEndpoint.Overview o = endpoint.overview();
        assertThat(o.guard()).isEqualTo("starter-test");
        assertThat(o.mode()).isEqualTo("enforce");
        assertThat(o.budgets()).extracting(AgentGuardEndpoint.BudgetView::id).containsExactly("session-1h", "global-day");
        assertThat(o.budgets().get(0).global()).isNull();
        assertThat(o.budgets().get(1).global().limit()).isEqualTo("1.00");
        assertThat(o.budgets().get(1).global().fill()).isEqualByComparingTo(BigDecimal.ZERO);
    }

    @Test
    void actionsAreRecordedWithThePrincipalAsOperator() {
        AgentGuardEndpoint.ActionResult stop = endpoint.act("stop", null, null, null, null, "s-1", "abuse", as("ops lead"));
        assertThat(stop.changed()).isTrue();
        assertThat(stop.operator()).isEqualTo("ops_lead");
        assertThat(endpoint.overview().stoppedSessions()).containsExactly("s-1");
        assertThat(endpoint.act("resume", null, null, null, null, "s-1", "ok", as(null)).operator()).isEqualTo("actuator");
        assertThat(endpoint.overview().stoppedSessions()).isEmpty();

        endpoint.act("grant", "session-1h", "s-2", "0.50", "PT1H", null, "vip", as("ops"));
        AgentGuardEndpoint.KeyView key = endpoint.key("session-1h", "s-2");
        assertThat(key.granted()).isEqualTo("0.50");
        assertThat(key.limit()).isEqualTo("0.51");
        assertThat(endpoint.act("lift", "session-1h", "s-2", null, null, null, "none", as("ops")).changed()).isFalse();
    }

    private void spend(String session, int promptTokens) {
        Admission a = guard.admitModelCall(ModelCall.builder("gpt-4o")
                .scope(GuardScope.builder().agent("a").session(session).build())
                .promptTokens(promptTokens).maxOutputTokens(10).build());
        assertThat(a.proceeds()).as(a.decision().reason()).isTrue();
        a.settle(Usage.of(promptTokens, 0, 0, 10, 0));
    }

    @Test
    void everyKeyOfABudgetIsListedFullestFirstAndAResetEmptiesOne() {
        spend("s-small", 100);
        spend("s-big", 2_000);

        assertThat(endpoint.keys("session-1h")).extracting(AgentGuardEndpoint.KeyView::key)
                .containsExactly("s-big", "s-small");
        AgentGuardEndpoint.KeyView big = endpoint.keys("session-1h").get(0);
        assertThat(big.used()).isEqualTo(endpoint.key("session-1h", "s-big").used()).isNotEqualTo("0.00");
        assertThat(big.windowEnd()).isNotNull();

        AgentGuardEndpoint.ActionResult reset = endpoint.act("reset", "session-1h", "s-big", null, null, null,
                "refund", as("ops"));
        assertThat(reset.changed()).isTrue();
        assertThat(endpoint.key("session-1h", "s-big").used()).isEqualTo("0.00");
        assertThat(endpoint.key("session-1h", "s-small").used()).isNotEqualTo("0.00");
        assertThatThrownBy(() -> endpoint.keys("nope")).isInstanceOf(InvalidEndpointRequestException.class);
        assertThatThrownBy(() -> endpoint.act("reset", "session-1h", null, null, null, null, "r", as("ops")))
                .isInstanceOf(InvalidEndpointRequestException.class).hasMessageContaining("'key' is required");
    }

    @Test
    void badRequestsAreInvalidRequestsNotServerErrors() {
        assertThatThrownBy(() -> endpoint.act("explode", null, null, null, null, null, "r", as("ops")))
                .isInstanceOf(InvalidEndpointRequestException.class).hasMessageContaining("lift, grant, reset, stop and resume");
        assertThatThrownBy(() -> endpoint.act("stop", null, null, null, null, null, "r", as("ops")))
                .isInstanceOf(InvalidEndpointRequestException.class).hasMessageContaining("'session' is required");
        assertThatThrownBy(() -> endpoint.act("grant", "session-1h", "s", "lots", "PT1H", null, "r", as("ops")))
                .isInstanceOf(InvalidEndpointRequestException.class).hasMessageContaining("lots");
        assertThatThrownBy(() -> endpoint.key("nope", "k")).isInstanceOf(InvalidEndpointRequestException.class)
                .hasMessageContaining("no budget 'nope'");
        assertThatThrownBy(() -> endpoint.act("stop", null, null, null, null, "s", " ", as("ops")))
                .isInstanceOf(InvalidEndpointRequestException.class).hasMessageContaining("reason");
    }

    @Test
    void healthIsDownOnceTheAuditSinkStopsWriting(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path policy = dir.resolve("p.yaml");
        java.nio.file.Files.writeString(policy, "version: 1\nname: h\naudit:\n  file: "
                + dir.resolve("a.jsonl").toAbsolutePath() + "\n");
        Guard audited = Policies.load(policy);
        GuardHealth health = new GuardHealth(audited, l -> true);
        assertThat(health.check().up()).isTrue();
        assertThat(health.check().details()).containsEntry("audit.writing", true).containsKey("audit.written");
        audited.close();
        assertThat(health.check().up()).isFalse();
        assertThat(new GuardHealth(guard, l -> false).check().details()).containsEntry("ledger.reachable", false);
    }
}

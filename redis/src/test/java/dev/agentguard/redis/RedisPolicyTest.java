package dev.agentguard.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentguard.core.Admission;
import dev.agentguard.core.Guard;
import dev.agentguard.core.GuardScope;
import dev.agentguard.core.ModelCall;
import dev.agentguard.core.common.Action;
import dev.agentguard.core.common.Usage;
import dev.agentguard.policy.Policies;
import dev.agentguard.policy.Policy;
import dev.agentguard.policy.PolicyReader;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A policy's {@code ledger.redis} section: two guards built from it share one budget, and an outage is recorded. */
class RedisPolicyTest {

    private static final String POLICY = """
            version: 1
            name: fleet-e2e
            pricing: { m: { input: 1.00, output: 1.00 } }
            budgets:
              - id: agent-tokens
                scope: agent
                window: 1h
                limit: { tokens: 1000 }
                onExceed: block
            ledger:
              redis: { uri: "${REDIS_URL}", timeout: 300ms, onUnavailable: failClosed }
            """;

    private RedisServer server;
    private Guard first;
    private Guard second;

    @BeforeEach
    void start() {
        server = RedisServer.start();
        Policy policy = PolicyReader.withEnvironment(Map.of("REDIS_URL", server.uri()))
                .parse(new ByteArrayInputStream(POLICY.getBytes(StandardCharsets.UTF_8)), "fleet.yaml");
        first = Policies.build(policy);
        second = Policies.build(policy);
    }

    @AfterEach
    void stop() {
        first.close();
        second.close();
        server.close();
    }

    private static Admission admit(Guard guard) {
        try (GuardScope scope = GuardScope.open("support", "s1")) {
            return guard.admitModelCall(ModelCall.builder("m").scope(scope).promptTokens(300).maxOutputTokens(100)
                    .build());
        }
    }

    @Test
    void twoGuardsOfOnePolicyShareItsBudgetInRedis() {
        assertThat(first.ledger()).isInstanceOf(RedisBudgetLedger.class);
        Admission a = admit(first);
        Admission b = admit(second);
        Admission c = admit(first);

        assertThat(a.proceeds()).isTrue();
        assertThat(b.proceeds()).isTrue();
        assertThat(c.proceeds()).as("400 + 400 + 400 tokens pass 1000 across the two guards").isFalse();
        assertThat(c.decision().rule()).isEqualTo("budgets.agent-tokens");

        a.settle(Usage.of(300, 50));
        b.settle(Usage.of(300, 50));
        assertThat(admit(second).proceeds()).as("700 settled + 400 still passes 1000").isFalse();
    }

    @Test
    void anOutageIsADecisionAndRedisComingBackEndsIt() {
        server.pause();
        Admission refused = admit(first);
        server.resume();

        assertThat(refused.proceeds()).isFalse();
        assertThat(refused.decision().action()).isEqualTo(Action.BLOCK);
        assertThat(refused.decision().rule()).isEqualTo("ledger.unavailable");
        assertThat(refused.decision().reason()).contains("failClosed");
    }
}

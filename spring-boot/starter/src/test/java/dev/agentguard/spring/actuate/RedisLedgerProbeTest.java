package dev.agentguard.spring.actuate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentguard.core.Guard;
import dev.agentguard.core.GuardConfig;
import dev.agentguard.redis.RedisBudgetLedger;
import dev.agentguard.redis.RedisServer;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The health indicator's view of a Redis ledger, against a real redis-server that the test starts and kills. */
class RedisLedgerProbeTest {

    @Test
    void aRedisThatDiedIsReportedDownWithoutAnyCallInBetween() {
        try (RedisServer redis = RedisServer.start();
                RedisBudgetLedger ledger = RedisBudgetLedger.builder(redis.uri()).guard("health")
                        .timeout(Duration.ofMillis(300)).build();
                Guard guard = Guard.builder(GuardConfig.builder().name("health").build()).ledger(ledger).build()) {
            GuardHealth health = new GuardHealth(guard, new RedisLedgerProbe());
            assertThat(health.check().details()).containsEntry("ledger", "RedisBudgetLedger")
                    .containsEntry("ledger.reachable", true);
            assertThat(health.check().up()).isTrue();

            redis.kill(); // no call of the guard after this: only the health check can notice

            GuardHealth.Result down = health.check();
            assertThat(down.details()).containsEntry("ledger.reachable", false);
            assertThat(down.up()).isFalse();
        }
    }

    @Test
    void anInProcessLedgerAlwaysAnswers() {
        try (Guard guard = Guard.of(GuardConfig.builder().name("local").build())) {
            assertThat(new RedisLedgerProbe().test(guard.ledger())).isTrue();
        }
    }
}

package dev.agentguard.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The {@code ledger} section: validated here, built by the module that provides the ledger. */
class LedgerSectionTest {

    private static Policy parse(String yaml, Map<String, String> env) {
        return PolicyReader.withEnvironment(env)
                .parse(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), "fleet.yaml");
    }

    @Test
    void aRedisSectionIsReadWithItsEnvironmentAndDefaults() {
        Policy p = parse("""
                version: 1
                name: fleet
                ledger:
                  redis: { uri: "${REDIS_URL}", keyPrefix: "ag:", timeout: 50ms, onUnavailable: local, localShare: 25% }
                """, Map.of("REDIS_URL", "redis://cache:6379/1"));

        LedgerSettings ledger = p.ledger().orElseThrow();
        assertThat(ledger.id()).isEqualTo("redis");
        assertThat(ledger.settings()).containsEntry("uri", "redis://cache:6379/1").containsEntry("keyPrefix", "ag:")
                .containsEntry("timeout", "PT0.05S").containsEntry("onUnavailable", "local")
                .containsEntry("localShare", "25");
        assertThat(ledger.location()).isEqualTo("fleet.yaml:4:10 ledger.redis");
        assertThat(parse("version: 1\nname: x\n", Map.of()).ledger()).isEmpty();
    }

    @Test
    void badSettingsAreLocatedAndSayWhatWasExpected() {
        assertThatThrownBy(() -> parse("""
                version: 1
                name: fleet
                ledger:
                  redis:
                    uri: "http://cache"
                    timeout: 0ms
                    onUnavailable: failclosed
                    localShare: 0%
                    keyprefix: x
                """, Map.of())).isInstanceOf(PolicyException.class)
                .hasMessageContaining("fleet.yaml:5:10 ledger.redis.uri: expected a Redis URI")
                .hasMessageContaining("fleet.yaml:6:14 ledger.redis.timeout: expected a timeout above 0")
                .hasMessageContaining("ledger.redis.onUnavailable: expected failClosed | failOpen | local")
                .hasMessageContaining("did you mean failClosed?")
                .hasMessageContaining("ledger.redis.localShare: expected a share from 1% to 100%")
                .hasMessageContaining("ledger.redis.keyprefix: unknown key; did you mean keyPrefix?");
        assertThatThrownBy(() -> parse("version: 1\nname: x\nledger: { redis: { timeout: 1s } }\n", Map.of()))
                .hasMessageContaining("ledger.redis: uri is required");
        assertThatThrownBy(() -> parse("version: 1\nname: x\nledger: { memcached: {} }\n", Map.of()))
                .hasMessageContaining("ledger.memcached: unknown key");
    }

    @Test
    void buildingWithoutTheRedisModuleSaysWhatIsMissing() {
        Policy p = parse("""
                version: 1
                name: fleet
                ledger:
                  redis: { uri: "redis://127.0.0.1:6379" }
                """, Map.of());

        assertThatThrownBy(() -> Policies.build(p)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("fleet.yaml:4:10 ledger.redis")
                .hasMessageContaining("dev.agentguard:agent-guard-redis");
    }
}

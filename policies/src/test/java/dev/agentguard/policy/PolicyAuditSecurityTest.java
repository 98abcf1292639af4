package dev.agentguard.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.agentguard.core.Guard;
import dev.agentguard.core.GuardScope;
import dev.agentguard.core.ToolCall;
import dev.agentguard.core.audit.AuditConfig;
import dev.agentguard.core.log.CapturedDecisionLog;
import dev.agentguard.core.redact.RedactionClass;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.event.KeyValuePair;

/**
 * Issue 15, items 4 and 5: an {@code audit:} section redacts every class unless it says {@code redact: none}, the
 * decision log always redacts, every audit option is in YAML, and two guards cannot share one audit file.
 */
class PolicyAuditSecurityTest {

    private static final String ARGUMENTS = "{\"password\":\"Hunter2!xyz\",\"card\":\"4111 1111 1111 1111\","
            + "\"note\":\"key sk-7dJ3kLm9Qx2Vb8Nw4Pz6Ry1Tc5Hs0Gf3Ea9Ku2Lo7Mi4Wd\"}";
    private static final List<String> RAW = List.of("Hunter2!xyz", "4111 1111 1111 1111",
            "sk-7dJ3kLm9Qx2Vb8Nw4Pz6Ry1Tc5Hs0Gf3Ea9Ku2Lo7Mi4Wd");

    @TempDir
    Path dir;

    @RegisterExtension
    final CapturedDecisionLog log = new CapturedDecisionLog();

    private Guard load(String auditLines) {
        String yaml = "version: 1\nname: secure\nloops:\n  identicalToolCalls: { warnAt: 2, blockAt: 9 }\naudit:\n"
                + "  file: " + dir.resolve("audit.jsonl").toString().replace("\\", "/") + "\n" + auditLines;
        return Policies.load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), "secure.yaml");
    }

    private void call(Guard guard) {
        GuardScope scope = GuardScope.builder().agent("a").session("s1").build();
        for (int i = 0; i < 3; i++) {
            guard.admitToolCall(ToolCall.of(scope, "configure", ARGUMENTS)).complete();
        }
        guard.close();
    }

    private String logged() {
        StringBuilder sb = new StringBuilder();
        for (ILoggingEvent e : log.events()) {
            sb.append(e.getFormattedMessage());
            for (KeyValuePair kv : e.getKeyValuePairs() == null ? List.<KeyValuePair>of() : e.getKeyValuePairs()) {
                sb.append(' ').append(kv.key).append('=').append(kv.value);
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    @Test
    void anAuditSectionWithoutRedactRedactsEveryClass() throws Exception {
        Guard guard = load("");
        call(guard);

        String audit = Files.readString(dir.resolve("audit.jsonl"));
        assertThat(audit).contains("[REDACTED:secret]").contains("[REDACTED:card]");
        for (String raw : RAW) {
            assertThat(audit).as("the audit file").doesNotContain(raw);
            assertThat(logged()).as("the decision log").doesNotContain(raw);
        }
    }

    @Test
    void redactNoneMustBeWrittenOutAndTheDecisionLogStillRedacts() throws Exception {
        Guard guard = load("  redact: none\n");
        call(guard);

        assertThat(Files.readString(dir.resolve("audit.jsonl"))).contains("Hunter2!xyz");
        assertThat(logged()).contains("[REDACTED:").doesNotContain("Hunter2!xyz").doesNotContain("4111 1111");
    }

    @Test
    void everyAuditOptionIsInYaml() {
        String yaml = "version: 1\naudit:\n  file: " + dir.resolve("a.jsonl").toString().replace("\\", "/") + "\n"
                + "  redact: [secrets, cards]\n"
                + "  redactPatterns: ['ticket-[0-9]{6}']\n"
                + "  hmacKeyEnv: AUDIT_HMAC_KEY\n"
                + "  rotate: { maxSize: 100MB, daily: true }\n"
                + "  queue: { size: 4096, onFull: wait, maxWait: 250ms }\n"
                + "  flushEvery: 2s\n"
                + "  checkpoint: { records: 500, every: 30s }\n";
        AuditConfig c = PolicyReader.withEnvironment(Map.of("AUDIT_HMAC_KEY", "0123456789abcdef0123"))
                .parse(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), "all.yaml").audit().get()
                .config();

        assertThat(c.redact()).containsExactlyInAnyOrder(RedactionClass.SECRETS, RedactionClass.CARDS);
        assertThat(c.redactPatterns()).containsEntry("custom", "ticket-[0-9]{6}");
        assertThat(c.redactor().redact("see ticket-123456")).isEqualTo("see [REDACTED:custom]");
        assertThat(c.hmacKeyEnv()).isEqualTo("AUDIT_HMAC_KEY");
        assertThat(c.rotateAtBytes()).isEqualTo(100L << 20);
        assertThat(c.rotateDaily()).isTrue();
        assertThat(c.queueCapacity()).isEqualTo(4096);
        assertThat(c.maxBlock()).isEqualTo(Duration.ofMillis(250));
        assertThat(c.flushEvery()).isEqualTo(Duration.ofSeconds(2));
        assertThat(c.checkpointEveryRecords()).isEqualTo(500);
        assertThat(c.checkpointEvery()).isEqualTo(Duration.ofSeconds(30));

        String drop = "version: 1\naudit:\n  file: x.jsonl\n  queue: { onFull: drop }\n  redactPatterns: { emp: 'EMP-[0-9]+' }\n";
        AuditConfig d = Policies.parse(new ByteArrayInputStream(drop.getBytes(StandardCharsets.UTF_8)), "drop.yaml")
                .audit().get().config();
        assertThat(d.maxBlock()).isZero();
        assertThat(d.redactPatterns()).containsEntry("emp", "EMP-[0-9]+");
    }

    @Test
    void twoGuardsCannotAppendToOneAuditFile() {
        Guard first = load("");
        try {
            assertThatThrownBy(() -> load("")).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("already open by another audit sink");
        } finally {
            first.close();
        }
    }
}

package dev.agentguard.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentguard.core.Admission;
import dev.agentguard.core.Guard;
import dev.agentguard.core.GuardScope;
import dev.agentguard.core.ToolCall;
import dev.agentguard.core.audit.AuditVerifier;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A policy's {@code audit} section gives its guard a JSONL audit file, redacted and hash-chained. */
class PolicyAuditWiringTest {

    @Test
    void aLoadedPolicyWritesARedactedVerifiableAuditFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("audit.jsonl");
        String yaml = "version: 1\nname: wired\nloops:\n  identicalToolCalls: { warnAt: 2, blockAt: 3 }\n"
                + "audit:\n  file: " + file.toString().replace("\\", "/") + "\n  redact: [secrets, emails]\n";
        Guard guard = Policies.load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), "wired.yaml");
        GuardScope scope = GuardScope.builder().agent("a").session("s1").build();
        for (int i = 0; i < 3; i++) {
            Admission a = guard.admitToolCall(ToolCall.of(scope, "send_mail", "{\"to\":\"jane.doe@example.com\"}"));
            if (a.proceeds()) {
                a.complete();
            }
        }
        guard.close();

        List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize(3 + 2); // three admissions, two executed calls recorded
        assertThat(String.join("\n", lines)).doesNotContain("jane.doe@example.com").contains("feedback")
                .contains("\"guard\":\"wired\"");
        assertThat(AuditVerifier.builder().build().verify(file).ok()).isTrue();
    }
}

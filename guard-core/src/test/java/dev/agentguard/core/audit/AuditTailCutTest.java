package dev.agentguard.core.audit;

import static dev.agentguard.core.audit.AuditFixtures.lines;
import static dev.agentguard.core.audit.AuditFixtures.write;
import static org.assertj.core.api.Assertions.assertThat;

import dev.agentguard.core.DecisionEvent;
import dev.agentguard.core.FakeClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15, item 3: the end of the chain cannot be cut off unnoticed by removing the head file with it, nor by
 * deleting the active file and its head. (The roll-back of the head, which needs a checkpoint, is in the tamper
 * suite.)
 */
class AuditTailCutTest {

    @TempDir
    Path dir;

    private Path writeFile(long rotateAt) {
        Path file = dir.resolve("audit.jsonl");
        AuditSink sink = AuditSink.builder(AuditConfig.builder().file(file).shutdownHook(false).rotateAtBytes(rotateAt)
                .build()).clock(new FakeClock(Instant.parse("2026-03-02T09:00:00Z"))).build();
        List<DecisionEvent> events = AuditFixtures.sessionEvents();
        for (int i = 0; i < 3; i++) {
            events.forEach(sink::onDecision);
        }
        sink.close();
        return file;
    }

    @Test
    void cuttingTheLastLinesTogetherWithTheHeadFails() throws IOException {
        Path file = writeFile(0);
        List<String> l = lines(file);
        write(file, l.subList(0, l.size() - 3));
        Files.delete(dir.resolve("audit.jsonl.head"));

        VerificationResult r = AuditVerifier.builder().build().verify(file);

        assertThat(r.ok()).as(r.toString()).isFalse();
        assertThat(r.file()).isNotNull();
    }

    @Test
    void deletingTheActiveFileAndItsHeadFails() throws IOException {
        Path file = writeFile(8 * 1024);
        assertThat(AuditFiles.rotated(file)).isNotEmpty();
        Files.delete(file);
        Files.delete(dir.resolve("audit.jsonl.head"));

        VerificationResult r = AuditVerifier.builder().build().verify(file);

        assertThat(r.ok()).as(r.toString()).isFalse();
        assertThat(r.file()).isNotNull();
    }
}

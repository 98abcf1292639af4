package dev.agentguard.core.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentguard.core.DecisionEvent;
import dev.agentguard.core.FakeClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A million decisions through the sink, then {@code close()}: exactly a million lines, and the verifier accepts
 * them. (Tampering is tested on smaller files in {@link AuditVerifierTest}.)
 */
class AuditMillionRecordsTest {

    private static final int RECORDS = 1_000_000;

    @TempDir
    Path dir;

    @Test
    void aMillionDecisionsMakeAMillionVerifiedLines() throws IOException {
        Path file = dir.resolve("audit.jsonl");
        // maxBlock is generous so that a slow shared machine makes callers wait rather than count losses
        AuditSink sink = AuditSink.builder(AuditConfig.builder().file(file).shutdownHook(false)
                .maxBlock(Duration.ofSeconds(60)).closeTimeout(Duration.ofSeconds(120)).build())
                .clock(new FakeClock(Instant.parse("2026-03-02T09:00:00Z"))).build();
        List<DecisionEvent> events = AuditFixtures.sessionEvents();
        int n = events.size();

        long start = System.nanoTime();
        for (int i = 0; i < RECORDS; i++) {
            sink.onDecision(events.get(i % n));
        }
        sink.close();
        long written = System.nanoTime();
        VerificationResult r = AuditVerifier.builder().build().verify(file);
        long verified = System.nanoTime();

        assertThat(sink.lostRecords()).isZero();
        assertThat(sink.writtenRecords()).isEqualTo(RECORDS);
        assertThat(AuditFiles.tail(file).lines).isEqualTo(RECORDS);
        assertThat(r.ok()).as(r.toString()).isTrue();
        assertThat(r.records()).isEqualTo(RECORDS);
        System.out.printf("audit: %d records, %d MB, written and closed in %d ms, verified in %d ms%n", RECORDS,
                Files.size(file) >> 20, (written - start) / 1_000_000, (verified - written) / 1_000_000);
    }
}

package dev.agentguard.core.audit;

import static dev.agentguard.core.audit.AuditFixtures.lines;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentguard.core.DecisionEvent;
import dev.agentguard.core.FakeClock;
import dev.agentguard.core.log.CapturedDecisionLog;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15, item 2: any {@code Throwable} while one record is encoded or written is a counted loss and a record
 * in the file naming the failure; the writer goes on.
 */
class AuditWriterSurvivesTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @RegisterExtension
    final CapturedDecisionLog log = new CapturedDecisionLog();

    private final FakeClock clock = new FakeClock(Instant.parse("2026-03-02T09:00:00Z"));

    @Test
    void anErrorWhileEncodingOneRecordIsAnAuditErrorRecordAndTheWriterGoesOn() throws Exception {
        Path file = dir.resolve("audit.jsonl");
        List<DecisionEvent> events = AuditFixtures.sessionEvents();
        long poisoned = events.get(3).seq();
        AuditSink sink = AuditSink.builder(AuditConfig.builder().file(file).shutdownHook(false).build()).clock(clock)
                .records((e, r) -> {
                    if (e.seq() == poisoned) {
                        throw new StackOverflowError();
                    }
                    return DecisionRecord.of(e, r);
                }).build();

        events.forEach(sink::onDecision);
        sink.close();

        assertThat(sink.lostRecords()).isEqualTo(1);
        List<String> lines = lines(file);
        assertThat(lines).hasSize(events.size());
        JsonNode error = JSON.readTree(lines.get(3));
        assertThat(error.get("rule").asText()).isEqualTo("audit.error");
        assertThat(error.get("reason").asText()).contains("decision record #" + poisoned)
                .contains("java.lang.StackOverflowError");
        assertThat(JSON.readTree(lines.get(lines.size() - 1)).get("seq").asLong())
                .isEqualTo(events.get(events.size() - 1).seq());
        assertThat(lines).noneMatch(l -> l.contains("\"rule\":\"audit.loss\"")); // reported once, not twice
        assertThat(AuditVerifier.builder().build().verify(file).ok()).isTrue();
    }

    @Test
    void anErrorFromTheDiskIsACountedLossReportedInTheFileAndTheWriterGoesOn() throws Exception {
        AtomicBoolean failOnce = new AtomicBoolean(true);
        AuditStorage disk = f -> {
            SeekableByteChannel real = Files.newByteChannel(f, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            return new AuditSinkFailureTest.Forwarding(real) {
                @Override
                public int write(ByteBuffer src) throws IOException {
                    if (failOnce.getAndSet(false)) {
                        throw new AssertionError("disk driver bug");
                    }
                    return real.write(src);
                }
            };
        };
        Path file = dir.resolve("audit.jsonl");
        AuditSink sink = AuditSink.builder(AuditConfig.builder().file(file).shutdownHook(false).flushEachRecord()
                .build()).clock(clock).storage(disk).build();
        List<DecisionEvent> events = AuditFixtures.sessionEvents();

        sink.onDecision(events.get(0));
        assertThat(sink.flush()).isFalse(); // the file is broken: the record is lost
        clock.advance(Duration.ofSeconds(10)); // past retryEvery
        events.subList(1, events.size()).forEach(sink::onDecision);
        sink.close();

        assertThat(sink.lostRecords()).isEqualTo(1);
        assertThat(sink.writtenRecords()).isEqualTo(events.size() - 1);
        List<String> lines = lines(file);
        assertThat(lines).hasSize(events.size()); // the loss record and every later decision
        assertThat(JSON.readTree(lines.get(0)).get("rule").asText()).isEqualTo("audit.loss");
        assertThat(JSON.readTree(lines.get(0)).get("reason").asText()).contains("java.lang.AssertionError: disk driver bug");
        assertThat(AuditVerifier.builder().build().verify(file).ok()).isTrue();
    }
}

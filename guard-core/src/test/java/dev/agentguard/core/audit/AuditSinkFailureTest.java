package dev.agentguard.core.audit;

import static dev.agentguard.core.audit.AuditFixtures.S42;
import static dev.agentguard.core.audit.AuditFixtures.lines;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentguard.core.common.Action;
import dev.agentguard.core.Admission;
import dev.agentguard.core.DecisionEvent;
import dev.agentguard.core.FakeClock;
import dev.agentguard.core.FakeTicker;
import dev.agentguard.core.Guard;
import dev.agentguard.core.GuardConfig;
import dev.agentguard.core.LoopRules;
import dev.agentguard.core.ToolCall;
import dev.agentguard.core.log.CapturedDecisionLog;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.event.KeyValuePair;

/**
 * A sink that cannot write (a full disk) does not stop enforcement: the loss is counted, reported as a WARN and,
 * once the file can be written again, as an {@code audit.loss} record, and the chain stays valid.
 */
class AuditSinkFailureTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private final FakeClock clock = new FakeClock(Instant.parse("2026-03-02T09:00:00Z"));
    private final FakeTicker ticker = new FakeTicker();

    @RegisterExtension
    final CapturedDecisionLog log = new CapturedDecisionLog();

    /** A channel that passes every operation to another; the disks below change only how it writes. */
    abstract static class Forwarding implements SeekableByteChannel {
        final SeekableByteChannel real;

        Forwarding(SeekableByteChannel real) {
            this.real = real;
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            return real.read(dst);
        }

        @Override
        public long position() throws IOException {
            return real.position();
        }

        @Override
        public SeekableByteChannel position(long p) throws IOException {
            real.position(p);
            return this;
        }

        @Override
        public long size() throws IOException {
            return real.size();
        }

        @Override
        public SeekableByteChannel truncate(long size) throws IOException {
            real.truncate(size);
            return this;
        }

        @Override
        public boolean isOpen() {
            return real.isOpen();
        }

        @Override
        public void close() throws IOException {
            real.close();
        }
    }

    /** A disk that can fill up: when full, a write puts half its bytes on disk and then fails, as ENOSPC does. */
    static final class FillingDisk implements AuditStorage {
        final AtomicBoolean full = new AtomicBoolean();

        @Override
        public SeekableByteChannel open(Path file) throws IOException {
            SeekableByteChannel real = Files.newByteChannel(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            return new Forwarding(real) {
                @Override
                public int write(ByteBuffer src) throws IOException {
                    if (full.get()) {
                        if (src.remaining() > 1) {
                            ByteBuffer half = src.duplicate();
                            half.limit(src.position() + src.remaining() / 2);
                            real.write(half);
                        }
                        throw new IOException("No space left on device");
                    }
                    return real.write(src);
                }

            };
        }
    }

    @Test
    void aFullDiskDoesNotStopEnforcementAndTheLossIsCountedReportedAndRecorded() throws IOException {
        FillingDisk disk = new FillingDisk();
        Path file = dir.resolve("audit.jsonl");
        AuditSink sink = AuditSink.builder(AuditConfig.builder().file(file).shutdownHook(false).flushEachRecord()
                .retryEvery(Duration.ofSeconds(5)).build()).clock(clock).storage(disk).build();
        List<DecisionEvent> events = new ArrayList<>();
        GuardConfig policy = GuardConfig.builder().name("loops")
                .loops(LoopRules.builder().identicalToolCalls(LoopRules.Threshold.of(0, 3))
                        .onLoop(LoopRules.OnLoop.BLOCK).build()).build();
        Guard guard = Guard.builder(policy).ticker(ticker).clock(clock).listener(events::add).listener(sink).build();

        List<Action> before = calls(guard, "a", 2);
        assertThat(sink.flush()).isTrue();
        long writtenBefore = sink.writtenRecords();
        int eventsBefore = events.size();

        disk.full.set(true);
        List<Action> whileFull = calls(guard, "b", 4);

        assertThat(before).containsExactly(Action.ALLOW, Action.ALLOW);
        assertThat(whileFull).as("enforcement goes on").containsExactly(Action.ALLOW, Action.ALLOW, Action.BLOCK,
                Action.BLOCK);
        assertThat(sink.flush()).as("flush says the file is broken").isFalse();
        long lostWhileFull = events.size() - eventsBefore;
        assertThat(sink.lostRecords()).isEqualTo(lostWhileFull);
        assertThat(sink.writtenRecords()).isEqualTo(writtenBefore);
        assertThat(warnings()).singleElement().satisfies(w -> {
            assertThat(w.getFormattedMessage()).contains("cannot write audit file").contains("No space left on device");
            assertThat(kv(w, "rule")).isEqualTo("audit.loss");
        });

        disk.full.set(false);
        clock.advance(Duration.ofSeconds(5)); // the next record retries the file
        calls(guard, "c", 1);
        assertThat(sink.flush()).isTrue();
        guard.close();

        assertThat(warnings()).hasSize(2);
        ILoggingEvent recovered = warnings().get(1);
        assertThat(kv(recovered, "observed")).isEqualTo(Long.toString(lostWhileFull));
        List<String> lines = lines(file);
        assertThat(lines).hasSize((int) (writtenBefore + 1 + 2)); // before, the loss record, then the last call
        JsonNode loss = JSON.readTree(lines.get((int) writtenBefore));
        assertThat(loss.get("rule").asText()).isEqualTo("audit.loss");
        assertThat(loss.get("action").asText()).isEqualTo("warn");
        assertThat(loss.get("observed").asText()).isEqualTo(Long.toString(lostWhileFull));
        assertThat(loss.get("reason").asText()).startsWith(lostWhileFull + " decision records were not written to this"
                + " audit file since 2026-03-02T09:00:00Z: the audit file could not be written"
                + " (java.io.IOException: No space left on device)");
        VerificationResult r = AuditVerifier.builder().build().verify(file);
        assertThat(r.ok()).as("the half-written line was cut off: " + r).isTrue();
    }

    private List<Action> calls(Guard guard, String args, int n) {
        List<Action> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Admission a = guard.admitToolCall(ToolCall.of(S42, "search_web", args));
            out.add(a.decision().action());
            a.complete();
        }
        return out;
    }

    @Test
    void recordsThatFindTheQueueFullTooLongAreCountedAndReported() throws Exception {
        CountDownLatch writing = new CountDownLatch(1);
        CountDownLatch unblock = new CountDownLatch(1);
        AuditStorage stuck = file -> {
            SeekableByteChannel real = new FillingDisk().open(file);
            return new Forwarding(real) {
                @Override
                public int write(ByteBuffer src) throws IOException {
                    writing.countDown();
                    try {
                        unblock.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return real.write(src);
                }

            };
        };
        Path file = dir.resolve("audit.jsonl");
        AuditSink sink = AuditSink.builder(AuditConfig.builder().file(file).shutdownHook(false).flushEachRecord()
                .queueCapacity(1).maxBlock(Duration.ZERO).build()).clock(clock).storage(stuck).build();
        List<DecisionEvent> events = AuditFixtures.sessionEvents();

        sink.onDecision(events.get(0));
        assertThat(writing.await(30, TimeUnit.SECONDS)).isTrue(); // the writer holds event 0 and is stuck
        for (int i = 1; i < 10; i++) {
            sink.onDecision(events.get(i)); // event 1 waits in the queue; 2..9 find it full
        }
        assertThat(sink.lostRecords()).isEqualTo(8);
        unblock.countDown();
        sink.close();

        List<String> lines = lines(file);
        assertThat(lines).hasSize(3); // events 0 and 1, and the loss record
        assertThat(lines).filteredOn(l -> l.contains("\"rule\":\"audit.loss\"")).singleElement()
                .satisfies(l -> assertThat(l).contains("\"observed\":\"8\"")
                        .contains("the audit queue stayed full for more than PT0S"));
        assertThat(warnings()).singleElement().satisfies(w -> assertThat(kv(w, "observed")).isEqualTo("8"));
        assertThat(AuditVerifier.builder().build().verify(file).ok()).isTrue();
    }

    private List<ILoggingEvent> warnings() {
        return log.events().stream().filter(e -> e.getLevel() == Level.WARN).collect(Collectors.toList());
    }

    private static Object kv(ILoggingEvent e, String key) {
        for (KeyValuePair p : e.getKeyValuePairs()) {
            if (p.key.equals(key)) {
                return p.value;
            }
        }
        return null;
    }
}

package dev.agentguard.core.audit;

import dev.agentguard.core.TestEvents;

import static dev.agentguard.core.audit.AuditFixtures.S42;
import static dev.agentguard.core.audit.AuditFixtures.lines;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentguard.core.DecisionEvent;
import dev.agentguard.core.FakeClock;
import dev.agentguard.core.FakeTicker;
import dev.agentguard.core.Guard;
import dev.agentguard.core.redact.RedactionClass;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The JSONL audit sink: fields, chain, flush, rotation, restart, keys, configuration. */
class AuditSinkTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private final FakeClock clock = new FakeClock(Instant.parse("2026-03-02T09:00:00Z"));
    private final FakeTicker ticker = new FakeTicker();

    private Path file() {
        return dir.resolve("logs/agent-guard-audit.jsonl");
    }

    private AuditConfig.Builder config() {
        return AuditConfig.builder().file(file()).shutdownHook(false);
    }

    private AuditSink open(AuditConfig.Builder config) {
        return AuditSink.builder(config.build()).clock(clock).build();
    }

    @Test
    void writesOneChainedLinePerDecisionWithTheContractFieldsInOrder() throws Exception {
        AuditSink sink = open(config());
        List<DecisionEvent> events = new ArrayList<>();
        Guard guard = Guard.builder(AuditFixtures.policy()).ticker(ticker).clock(clock).listener(events::add)
                .listener(sink).build();

        AuditFixtures.session(guard, ticker, S42);
        guard.close(); // closes the sink: drains the queue

        List<String> lines = lines(file());
        assertThat(lines).hasSize(events.size());
        String prev = ChainHasher.GENESIS;
        for (int i = 0; i < lines.size(); i++) {
            JsonNode n = JSON.readTree(lines.get(i));
            List<String> keys = new ArrayList<>();
            n.fieldNames().forEachRemaining(keys::add);
            List<String> expected = new ArrayList<>(DecisionRecord.FIELDS);
            if (TestEvents.call(events.get(i)).tool() != null) {
                expected.add("arguments");
            }
            // record version 2: an admission carries its request, in the documented order; then the version
            List<String> request = DecisionRecord.REQUEST_FIELDS.stream().filter(keys::contains).toList();
            if (events.get(i) instanceof DecisionEvent.CallAdmitted a) {
                assertThat(request).contains(a.tool() == null ? "promptTokens" : "argumentsFingerprint");
            } else {
                assertThat(request).isEmpty();
            }
            expected.addAll(request);
            expected.add(DecisionRecord.V);
            expected.add("prev");
            expected.add("hash");
            assertThat(keys).containsExactlyElementsOf(expected);
            assertThat(n.get(DecisionRecord.V).asInt()).isEqualTo(DecisionRecord.VERSION);
            assertThat(n.get("seq").asLong()).isEqualTo(events.get(i).seq());
            assertThat(n.get("prev").asText()).isEqualTo(prev);
            prev = n.get("hash").asText();
        }
        assertThat(sink.writtenRecords()).isEqualTo(events.size());
        assertThat(sink.lostRecords()).isZero();
        assertThat(AuditVerifier.builder().build().verify(file()).ok()).isTrue();
    }

    @Test
    void recordsHoldTheDocumentedValues() throws Exception {
        AuditSink sink = open(config());
        Guard guard = Guard.builder(AuditFixtures.policy()).ticker(ticker).clock(clock).listener(sink).build();
        AuditFixtures.session(guard, ticker, S42);
        guard.close();

        List<JsonNode> records = new ArrayList<>();
        for (String l : lines(file())) {
            records.add(JSON.readTree(l));
        }
        JsonNode settled = records.get(1);
        assertThat(settled.get("phase").asText()).isEqualTo("post");
        assertThat(settled.get("action").asText()).isEqualTo("record");
        // 205 tokens at $10 per million (big has no cache-read rate of its own)
        assertThat(settled.get("costUsd").asText()).isEqualTo("0.00205");
        assertThat(settled.get("usage").get("input").asLong()).isEqualTo(90);
        assertThat(settled.get("usage").get("cacheRead").asLong()).isEqualTo(10);
        assertThat(settled.get("latencyMs").asLong()).isEqualTo(300);
        assertThat(settled.get("ttftMs").isNull()).isTrue();
        assertThat(settled.get("outcome").asText()).isEqualTo("ok");
        assertThat(settled.get("user").asText()).isEqualTo("u-7");
        assertThat(settled.get("tenant").isNull()).isTrue();
        JsonNode failed = records.stream().filter(r -> "java.io.IOException".equals(r.path("outcome").asText()))
                .findFirst().orElseThrow();
        assertThat(failed.get("usage").get("output").isNull()).as("unknown counts are null, not 0").isTrue();
        assertThat(failed.get("usage").get("input").asLong()).isEqualTo(100);
        JsonNode block = records.get(records.size() - 1);
        assertThat(block.get("action").asText()).isEqualTo("block");
        assertThat(block.get("kind").asText()).isEqualTo("tool_call");
        assertThat(block.get("arguments").asText()).isEqualTo("{\"q\":\"weather in Paris\",\"n\":0}");
        assertThat(block.get("reservedUsd").isNull()).isTrue();
        assertThat(block.get("observed").asText()).isEqualTo("6");
        assertThat(block.get("unit").asText()).isEqualTo("calls");
    }

    @Test
    void flushMakesEverythingQueuedVisibleBeforeClose() {
        AuditSink sink = open(config().flushEvery(Duration.ofHours(1)));
        List<DecisionEvent> events = AuditFixtures.sessionEvents();
        events.forEach(sink::onDecision);

        assertThat(sink.flush()).isTrue();

        assertThat(lines(file())).hasSize(events.size());
        assertThat(AuditVerifier.builder().build().verify(file()).ok()).isTrue();
        sink.close();
    }

    @Test
    void flushEachRecordWritesBeforeTheNextIsTaken() {
        AuditSink sink = open(config().flushEachRecord());
        List<DecisionEvent> events = AuditFixtures.sessionEvents();
        events.forEach(sink::onDecision);
        sink.flush();

        assertThat(sink.writtenRecords()).isEqualTo(events.size());
        sink.close();
    }

    @Test
    void theChainContinuesAcrossARestart() {
        List<DecisionEvent> events = AuditFixtures.sessionEvents();
        AuditSink first = open(config());
        events.forEach(first::onDecision);
        first.close();
        AuditSink second = open(config());
        events.forEach(second::onDecision);
        second.close();

        assertThat(lines(file())).hasSize(2 * events.size());
        VerificationResult r = AuditVerifier.builder().build().verify(file());
        assertThat(r.ok()).as(r.toString()).isTrue();
        assertThat(r.records()).isEqualTo(2L * events.size());
    }

    @Test
    void aHalfWrittenLineLeftByACrashIsCutOffOnRestart() throws IOException {
        List<DecisionEvent> events = AuditFixtures.sessionEvents();
        AuditSink first = open(config());
        events.forEach(first::onDecision);
        first.close();
        Files.writeString(file(), "{\"seq\":99,\"ts\":\"2026-", StandardOpenOption.APPEND);

        AuditSink second = open(config());
        events.forEach(second::onDecision);
        second.close();

        assertThat(lines(file())).hasSize(2 * events.size());
        assertThat(AuditVerifier.builder().build().verify(file()).ok()).isTrue();
    }

    @Test
    void aFileThatDoesNotEndWithAChainedRecordIsNotAppendedTo() throws IOException {
        Files.createDirectories(file().getParent());
        Files.writeString(file(), "{\"not\":\"ours\"}\n");

        assertThatThrownBy(() -> open(config())).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("is not an audit file");

        Files.delete(file()); // an audit file with a foreign line appended:
        AuditSink sink = open(config());
        sink.onDecision(AuditFixtures.sessionEvents().get(0));
        sink.close();
        Files.writeString(file(), "{\"not\":\"ours\"}\n", java.nio.file.StandardOpenOption.APPEND);
        assertThatThrownBy(() -> open(config())).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("does not end with a chained audit record");
    }

    @Test
    void rotatesBySizeAndTheChainGoesOnAcrossFiles() {
        AuditSink sink = open(config().rotateAtBytes(4096));
        List<DecisionEvent> events = AuditFixtures.sessionEvents();
        for (int i = 0; i < 5; i++) {
            events.forEach(sink::onDecision);
        }
        sink.close();

        List<Path> set = AuditFiles.set(file());
        assertThat(set.size()).isGreaterThan(3);
        assertThat(set.get(0).getFileName().toString()).isEqualTo("agent-guard-audit.2026-03-02.1.jsonl");
        assertThat(set.get(1).getFileName().toString()).isEqualTo("agent-guard-audit.2026-03-02.2.jsonl");
        for (Path p : set) {
            assertThat(p.toFile().length()).isLessThanOrEqualTo(4096);
        }
        VerificationResult r = AuditVerifier.builder().build().verify(file());
        assertThat(r.ok()).as(r.toString()).isTrue();
        assertThat(r.records()).isEqualTo(5L * events.size());
        assertThat(r.files()).isEqualTo(set);
    }

    @Test
    void rotatesWhenTheDayChanges() {
        AuditSink sink = open(config().rotateDaily(true));
        List<DecisionEvent> events = AuditFixtures.sessionEvents();
        events.forEach(sink::onDecision);
        sink.flush();
        clock.advance(Duration.ofDays(1));
        events.forEach(sink::onDecision);
        sink.close();

        Path rotated = dir.resolve("logs/agent-guard-audit.2026-03-02.1.jsonl");
        assertThat(lines(rotated)).hasSize(events.size());
        assertThat(lines(file())).hasSize(events.size());
        assertThat(AuditVerifier.builder().build().verify(file()).ok()).isTrue();
    }

    @Test
    void aRestartAfterMidnightRotatesYesterdaysFileFirst() {
        List<DecisionEvent> events = AuditFixtures.sessionEvents();
        AuditSink first = open(config().rotateDaily(true));
        events.forEach(first::onDecision);
        first.close();
        clock.advance(Duration.ofDays(1));
        AuditSink second = open(config().rotateDaily(true));
        events.forEach(second::onDecision);
        second.close();

        assertThat(lines(dir.resolve("logs/agent-guard-audit.2026-03-02.1.jsonl"))).hasSize(events.size());
        assertThat(lines(file())).hasSize(events.size());
        assertThat(AuditVerifier.builder().build().verify(file()).ok()).isTrue();
    }

    @Test
    void aKeyedChainVerifiesOnlyWithItsKey() {
        String key = "correct-horse-battery-staple-42";
        AuditSink sink = AuditSink.builder(config().hmacKeyEnv("AUDIT_KEY").build()).clock(clock)
                .environment(Map.of("AUDIT_KEY", key)::get).build();
        AuditFixtures.sessionEvents().forEach(sink::onDecision);
        sink.close();

        assertThat(AuditVerifier.builder().key(key.getBytes(StandardCharsets.UTF_8)).build().verify(file()).ok())
                .isTrue();
        VerificationResult plain = AuditVerifier.builder().build().verify(file());
        assertThat(plain.ok()).isFalse();
        assertThat(plain.line()).isEqualTo(1);
        assertThat(plain.message()).contains("written with an HMAC key");
        VerificationResult wrongKey = AuditVerifier.builder().key("another-key-of-enough-length".getBytes(
                StandardCharsets.UTF_8)).build().verify(file());
        assertThat(wrongKey.ok()).isFalse();
        assertThat(wrongKey.line()).isEqualTo(1);
    }

    @Test
    void aMissingOrShortKeyIsRefusedAtOpenWithoutShowingIt() {
        AuditConfig keyed = config().hmacKeyEnv("AUDIT_KEY").build();

        assertThatThrownBy(() -> AuditSink.builder(keyed).environment(Map.<String, String>of()::get).build())
                .hasMessage("audit.hmacKeyEnv: environment variable AUDIT_KEY is not set");
        assertThatThrownBy(() -> AuditSink.builder(keyed).environment(Map.of("AUDIT_KEY", "short")::get).build())
                .hasMessageContaining("holds a key of 5 bytes; at least 16").hasMessageNotContaining("short\"");
    }

    @Test
    void decisionsAfterCloseAreCountedLost() {
        AuditSink sink = open(config());
        List<DecisionEvent> events = AuditFixtures.sessionEvents();
        sink.close();

        events.forEach(sink::onDecision);

        assertThat(sink.lostRecords()).isEqualTo(events.size());
        assertThat(sink.flush()).isFalse();
    }

    @Test
    void configurationIsValidatedWithThePropertyAndTheBadValue() {
        assertThatThrownBy(() -> AuditConfig.builder().build()).hasMessage("audit.file is required");
        assertThatThrownBy(() -> config().redact(List.of("secrets", "emailz")).build())
                .hasMessage("audit.redact: unknown class \"emailz\"; expected secrets, emails, cards or phones");
        assertThatThrownBy(() -> config().redactPattern("ticket", "[").build())
                .hasMessageStartingWith("audit.redactPatterns.ticket: not a regular expression that runs in linear time")
                .hasMessageContaining(": [ (missing closing ])");
        assertThatThrownBy(() -> config().redactPattern("ticket", "(?<!x)TCK").build())
                .hasMessageStartingWith("audit.redactPatterns.ticket: not a regular expression that runs in linear time");
        assertThatThrownBy(() -> config().flushEvery(Duration.ofMillis(-5)).build())
                .hasMessage("audit.flushEvery must be >= 0 (0 flushes every record), was PT-0.005S");
        assertThatThrownBy(() -> config().rotateAtBytes(100).build())
                .hasMessage("audit.rotateAtBytes must be 0 (off) or >= 1024, was 100");
        assertThatThrownBy(() -> config().hmacKeyEnv("my key").build())
                .hasMessage("audit.hmacKeyEnv must be an environment variable name, was \"my key\"");
        assertThatThrownBy(() -> config().queueCapacity(0).build())
                .hasMessage("audit.queueCapacity must be between 1 and 4194304, was 0");
        assertThatThrownBy(() -> config().retryEvery(Duration.ZERO).build())
                .hasMessage("audit.retryEvery must be > 0, was PT0S");

        AuditConfig c = config().redact(List.of("emails", "cards")).redactPattern("ticket", "TCK-\\d+").build();
        assertThat(c.redact()).containsExactly(RedactionClass.EMAILS, RedactionClass.CARDS);
        assertThat(c.redactor().redact("TCK-1 jane@example.com")).isEqualTo("[REDACTED:ticket] [REDACTED:email]");
        assertThat(c.toBuilder().build().toString()).isEqualTo(c.toString());
    }

    @Test
    void recentDecisionsKeepTheLastOnesRedacted() {
        RecentDecisions recent = new RecentDecisions(4);
        List<DecisionEvent> events = AuditFixtures.sessionEvents();
        events.forEach(recent::onDecision);

        List<DecisionRecord> kept = recent.snapshot();

        assertThat(recent.total()).isEqualTo(events.size());
        assertThat(kept).hasSize(4);
        Iterator<DecisionEvent> last = events.subList(events.size() - 4, events.size()).iterator();
        for (DecisionRecord r : kept) {
            assertThat(r.seq()).isEqualTo(last.next().seq());
        }
        assertThat(recent.snapshot(r -> "block".equals(r.action()))).hasSize(1);
    }
}

package dev.agentguard.core.audit;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.spi.ILoggingEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentguard.core.Action;
import dev.agentguard.core.Decision;
import dev.agentguard.core.DecisionEvent;
import dev.agentguard.core.FakeClock;
import dev.agentguard.core.FakeTicker;
import dev.agentguard.core.Guard;
import dev.agentguard.core.GuardConfig;
import dev.agentguard.core.GuardScope;
import dev.agentguard.core.TestEvents;
import dev.agentguard.core.ToolCall;
import dev.agentguard.core.log.CapturedDecisionLog;
import dev.agentguard.core.log.DecisionLog;
import dev.agentguard.core.redact.Redactor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import net.logstash.logback.encoder.LogstashEncoder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A corpus of secrets and personal data, embedded in tool arguments (through a real guard), in reasons and in
 * error messages, leaves no unredacted occurrence in the decision log's JSON output or in the audit file;
 * redacted arguments still parse as JSON; look-alikes that are not secrets are left alone.
 */
class RedactionCorpusTest {

    /** A secret as it appears in text, and the part of it that must never reach a sink. */
    private static final class Sample {
        final String text;
        final String needle;

        Sample(String text, String needle) {
            this.text = text;
            this.needle = needle;
        }
    }

    private static Sample s(String secret) {
        return new Sample(secret, secret);
    }

    private static Sample s(String text, String needle) {
        return new Sample(text, needle);
    }

    private static final List<Sample> SECRETS = List.of(
            // OpenAI, Anthropic
            s("sk-7dJ3kLm9Qx2Vb8Nw4Pz6Ry1Tc5Hs0Gf3Ea9Ku2Lo7Mi4Wd"),
            s("sk-proj-Xy9Zk3Lm7Qp2Rs8Tv4Wb6Nc1Hd5Jf0Gg3Aa9Ee2Ii7Oo4Uu_abcDEF123-ghiJKL456"),
            s("sk-svcacct-Q1w2E3r4T5y6U7i8O9p0A1s2D3f4G5h6J7k8L9"),
            s("sk-ant-api03-Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0Fe-Dc9Ba8Zx7Yw6Vu5Ts4Rq3Po2Nm1Lk0JiAA"),
            s("sk-ant-admin01-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789"),
            // AWS
            s("AKIAIOSFODNN7EXAMPLE"),
            s("AKIAJ5Q7R2T4V6X8Z0B2"),
            s("ASIAY34FZKBOKMUTVV7A"),
            // GitHub
            s("ghp_1234567890abcdefghijklmnopqrstuvwxyzAB"),
            s("gho_16C7e42F292c6912E7710c838347Ae178B4a"),
            s("ghs_aB3dE5fG7hI9jK1lM3nO5pQ7rS9tU1vW3xY5"),
            s("github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTU"),
            // Google
            s("AIzaSyA-1234567890abcdefghijklmnopqrstu"),
            s("AIzaSyD9x8w7v6u5t4s3r2q1p0o9n8m7l6k5j4i"),
            // Slack
            s("xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx"),
            s("xoxp-2233445566-7788990011-1122334455-abcdef0123456789abcdef0123456789"),
            s("xoxa-2-9876543210-abcdefABCDEF"),
            // bearer tokens and JWTs
            s("Authorization: Bearer 9f8e7d6c5b4a39281706f5e4d3c2b1a0", "9f8e7d6c5b4a39281706f5e4d3c2b1a0"),
            s("bearer ya29.a0AfH6SMBxQwErTyUiOp1234567890", "ya29.a0AfH6SMBxQwErTyUiOp1234567890"),
            s("Authorization: Basic dXNlcjpjb3JyZWN0LWhvcnNl", "dXNlcjpjb3JyZWN0LWhvcnNl"),
            s("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ"
                    + ".SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"),
            s("eyJhbGciOiJSUzI1NiIsImtpZCI6IjEifQ.eyJzdWIiOiJ1c2VyLTQyIiwiZXhwIjoxNzAwMDAwMDAwfQ"
                    + ".dGhpcyBpcyBub3QgYSByZWFsIHNpZ25hdHVyZQ"),
            // credentials by name
            s("password=Sup3rS3cret!", "Sup3rS3cret!"),
            s("\"db_secret\": \"Tr0ub4dor&3\"", "Tr0ub4dor&3"),
            s("api_key: 0123abcd9876fedc", "0123abcd9876fedc"),
            s("client_secret='cs-long-opaque-value'", "cs-long-opaque-value"),
            s("\"refresh_token\":\"rt.ABCDEF.ghijkl\"", "rt.ABCDEF.ghijkl"),
            // e-mail addresses
            s("jane.doe@example.com"),
            s("j.smith+billing@corp.example.co.uk"),
            s("ops-team@sub.domain.io"),
            s("First.Last@Example.ORG"),
            s("x_y-z.99@mail-server.example.net"),
            // card numbers (test numbers of each network, with and without separators)
            s("4111111111111111"),
            s("4012 8888 8888 1881"),
            s("5555-5555-5555-4444"),
            s("5105105105105100"),
            s("2223003122003222"),
            s("378282246310005"),
            s("3714 496353 98431"),
            s("6011111111111117"),
            s("6011 0009 9013 9424"),
            s("3530111333300000"),
            s("30569309025904"),
            s("4242-4242-4242-4242"),
            // phone numbers
            s("+1 415-555-0132"),
            s("+14155550132"),
            s("(212) 555-0147"),
            s("646.555.0199"),
            s("1-800-555-0199"),
            s("+44 20 7946 0958"),
            s("+44 7700 900123"),
            s("020 7946 0958"),
            s("07700 900461"),
            s("+49 30 901820"),
            s("+4915123456789"),
            s("+33 1 42 68 53 00"),
            s("+61 2 9876 5432"));

    /** JSON fields whose values are secrets whatever they look like. */
    private static final Map<String, String> SECRET_FIELDS = Map.of(
            "password", "hunter2!",
            "apiKey", "k-12345-abcde",
            "client_secret", "cs_live_abc",
            "sessionToken", "opaque-session-9",
            "privateKey", "MIIEvQIBADANBgkq");

    private static final List<String> LOOK_ALIKES = List.of(
            "ORD-2026-000123",
            "INV-4821-9937-5512",
            "order #100234987",
            "123e4567-e89b-12d3-a456-426614174000",
            "550e8400-e29b-41d4-a716-446655440000",
            "12345678-1234-1234-1234-123456789012",
            "2026-03-02",
            "2026-03-02T09:00:00Z",
            "02/03/2026",
            "192.168.100.200",
            "10.0.0.1:8080",
            "17.0.15+6",
            "v1.22.333",
            "$1,234.56",
            "1767225600000",
            "4111111111111112",
            "978-3-16-148410-0",
            "1Z999AA10123456784",
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            "9fceb02d0ae598e95dc970b74767f19372d61af8",
            "max_tokens=1024",
            "token_count: 512",
            "task-1234567890abcdefghijklmnopqrstu",
            "user@localhost",
            "09:30:15",
            "48.8566, 2.3522",
            "555-0132");

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final GuardScope SCOPE = GuardScope.builder().agent("support").session("s-42").build();

    @TempDir
    Path dir;

    @RegisterExtension
    final CapturedDecisionLog logged = new CapturedDecisionLog();

    @Test
    void noSecretReachesTheLogOrTheAuditFileAndLookAlikesAreLeftAlone() throws Exception {
        assertThat(SECRETS.size() + SECRET_FIELDS.size()).isGreaterThanOrEqualTo(50);
        assertThat(LOOK_ALIKES).hasSizeGreaterThanOrEqualTo(20);
        Path file = dir.resolve("audit.jsonl");
        FakeClock clock = new FakeClock(Instant.parse("2026-03-02T09:00:00Z"));
        AuditSink sink = AuditSink.builder(AuditConfig.builder().file(file).shutdownHook(false).build()).clock(clock)
                .build();
        DecisionLog log = new DecisionLog();
        RecentDecisions recent = new RecentDecisions(10_000);
        Guard guard = Guard.builder(GuardConfig.builder().name("corpus").build()).ticker(new FakeTicker())
                .clock(clock).listener(log).listener(sink).listener(recent).build();

        List<String> texts = new ArrayList<>();
        SECRETS.forEach(x -> texts.add(x.text));
        texts.addAll(LOOK_ALIKES);
        int jsonArguments = 0;
        for (String text : texts) {
            // tool arguments, as JSON (a value, a nested value) and as plain text
            Map<String, Object> args = new LinkedHashMap<>();
            args.put("query", text);
            args.put("context", Map.of("note", "the user wrote " + text + " in the chat", "list", List.of(text, 7)));
            guard.admitToolCall(ToolCall.of(SCOPE, "lookup", JSON.writeValueAsString(args))).complete();
            guard.admitToolCall(ToolCall.of(SCOPE, "shell", "echo " + text + " | send")).complete();
            jsonArguments += 2; // pre and post
        }
        for (Map.Entry<String, String> f : SECRET_FIELDS.entrySet()) {
            String args = JSON.writeValueAsString(Map.of(f.getKey(), f.getValue(), "nested", Map.of(f.getKey(),
                    f.getValue())));
            guard.admitToolCall(ToolCall.of(SCOPE, "configure", args)).complete();
            jsonArguments += 2;
            texts.add("\"" + f.getKey() + "\": \"" + f.getValue() + "\"");
        }
        // reasons and error messages: texts no rule of the guard produces, so the events are built directly
        AtomicLong seq = new AtomicLong(1_000_000);
        for (String text : texts) {
            Decision d = Decision.builder(Action.WARN).rule("test.corpus").reason("upstream said: " + text).build();
            DecisionEvent pre = TestEvents.toolPre(seq.incrementAndGet(), clock.instant(), d, SCOPE, "fetch", null);
            DecisionEvent post = TestEvents.toolPost(seq.incrementAndGet(), clock.instant(), d, SCOPE, "fetch", null,
                    1_000_000, "java.io.IOException: request with " + text + " was rejected");
            for (DecisionEvent e : List.of(pre, post)) {
                log.onDecision(e);
                sink.onDecision(e);
                recent.onDecision(e);
            }
        }
        guard.close();

        String audit = Files.readString(file, StandardCharsets.UTF_8);
        String logOutput = render(logged.events());
        StringBuilder recentText = new StringBuilder();
        recent.snapshot().forEach(r -> recentText.append(r).append('\n'));

        List<String> needles = new ArrayList<>();
        SECRETS.forEach(x -> needles.add(x.needle));
        needles.addAll(SECRET_FIELDS.values());
        List<String> leaks = new ArrayList<>();
        for (String needle : needles) {
            for (Map.Entry<String, String> out : Map.of("audit file", audit, "decision log", logOutput,
                    "recent decisions", recentText.toString()).entrySet()) {
                if (out.getValue().contains(needle)) {
                    leaks.add(needle + " in the " + out.getKey());
                }
            }
        }
        assertThat(leaks).as("unredacted occurrences").isEmpty();
        for (String label : List.of("secret", "email", "card", "phone")) {
            assertThat(audit).contains(Redactor.placeholder(label));
        }

        int parsed = 0;
        for (String line : audit.split("\n")) {
            JsonNode record = JSON.readTree(line);
            String args = record.path("arguments").asText("");
            if (args.startsWith("{")) {
                JSON.readTree(args); // throws if the redaction broke the JSON
                parsed++;
            }
        }
        assertThat(parsed).isEqualTo(jsonArguments);

        for (String lookAlike : LOOK_ALIKES) {
            String encoded = JSON.writeValueAsString(lookAlike);
            String inner = encoded.substring(1, encoded.length() - 1);
            assertThat(count(audit, inner)).as(lookAlike + " left alone in the audit file").isGreaterThanOrEqualTo(6);
            assertThat(count(logOutput, inner)).as(lookAlike + " left alone in the log").isGreaterThanOrEqualTo(6);
        }
    }

    private String render(List<ILoggingEvent> events) {
        LogstashEncoder encoder = new LogstashEncoder();
        encoder.setContext(logged.logger().getLoggerContext());
        encoder.start();
        StringBuilder sb = new StringBuilder();
        for (ILoggingEvent e : events) {
            sb.append(new String(encoder.encode(e), StandardCharsets.UTF_8));
        }
        encoder.stop();
        return sb.toString();
    }

    private static int count(String haystack, String needle) {
        int n = 0;
        for (int i = haystack.indexOf(needle); i >= 0; i = haystack.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }
}

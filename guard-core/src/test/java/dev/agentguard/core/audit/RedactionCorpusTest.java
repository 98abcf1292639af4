package dev.agentguard.core.audit;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.spi.ILoggingEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentguard.core.common.Action;
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

    /** A secret of a redaction class as it appears in text, and the part of it that must never reach a sink. */
    private static final class Sample {
        final String cls;
        final String text;
        final String needle;

        Sample(String cls, String text, String needle) {
            this.cls = cls;
            this.text = text;
            this.needle = needle;
        }
    }

    private static Sample s(String cls, String secret) {
        return new Sample(cls, secret, secret);
    }

    private static Sample s(String cls, String text, String needle) {
        return new Sample(cls, text, needle);
    }

    private static final List<Sample> SECRETS = List.of(
            // OpenAI, Anthropic
            s("secrets", "sk-7dJ3kLm9Qx2Vb8Nw4Pz6Ry1Tc5Hs0Gf3Ea9Ku2Lo7Mi4Wd"),
            s("secrets", "sk-proj-Xy9Zk3Lm7Qp2Rs8Tv4Wb6Nc1Hd5Jf0Gg3Aa9Ee2Ii7Oo4Uu_abcDEF123-ghiJKL456"),
            s("secrets", "sk-svcacct-Q1w2E3r4T5y6U7i8O9p0A1s2D3f4G5h6J7k8L9"),
            s("secrets", "sk-ant-api03-Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0Fe-Dc9Ba8Zx7Yw6Vu5Ts4Rq3Po2Nm1Lk0JiAA"),
            s("secrets", "sk-ant-admin01-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789"),
            // AWS
            s("secrets", "AKIAIOSFODNN7EXAMPLE"),
            s("secrets", "AKIAJ5Q7R2T4V6X8Z0B2"),
            s("secrets", "ASIAY34FZKBOKMUTVV7A"),
            // GitHub
            s("secrets", "ghp_1234567890abcdefghijklmnopqrstuvwxyzAB"),
            s("secrets", "gho_16C7e42F292c6912E7710c838347Ae178B4a"),
            s("secrets", "ghs_aB3dE5fG7hI9jK1lM3nO5pQ7rS9tU1vW3xY5"),
            s("secrets", "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTU"),
            // Google
            s("secrets", "AIzaSyA-1234567890abcdefghijklmnopqrstu"),
            s("secrets", "AIzaSyD9x8w7v6u5t4s3r2q1p0o9n8m7l6k5j4i"),
            // Slack
            s("secrets", "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx"),
            s("secrets", "xoxp-2233445566-7788990011-1122334455-abcdef0123456789abcdef0123456789"),
            s("secrets", "xoxa-2-9876543210-abcdefABCDEF"),
            // bearer tokens and JWTs
            s("secrets", "Authorization: Bearer 9f8e7d6c5b4a39281706f5e4d3c2b1a0", "9f8e7d6c5b4a39281706f5e4d3c2b1a0"),
            s("secrets", "bearer ya29.a0AfH6SMBxQwErTyUiOp1234567890", "ya29.a0AfH6SMBxQwErTyUiOp1234567890"),
            s("secrets", "Authorization: Basic dXNlcjpjb3JyZWN0LWhvcnNl", "dXNlcjpjb3JyZWN0LWhvcnNl"),
            s("secrets", "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ"
                    + ".SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"),
            s("secrets", "eyJhbGciOiJSUzI1NiIsImtpZCI6IjEifQ.eyJzdWIiOiJ1c2VyLTQyIiwiZXhwIjoxNzAwMDAwMDAwfQ"
                    + ".dGhpcyBpcyBub3QgYSByZWFsIHNpZ25hdHVyZQ"),
            // credentials by name
            s("secrets", "password=Sup3rS3cret!", "Sup3rS3cret!"),
            s("secrets", "\"db_secret\": \"Tr0ub4dor&3\"", "Tr0ub4dor&3"),
            s("secrets", "api_key: 0123abcd9876fedc", "0123abcd9876fedc"),
            s("secrets", "client_secret='cs-long-opaque-value'", "cs-long-opaque-value"),
            s("secrets", "\"refresh_token\":\"rt.ABCDEF.ghijkl\"", "rt.ABCDEF.ghijkl"),
            // e-mail addresses
            s("emails", "jane.doe@example.com"),
            s("emails", "j.smith+billing@corp.example.co.uk"),
            s("emails", "ops-team@sub.domain.io"),
            s("emails", "First.Last@Example.ORG"),
            s("emails", "x_y-z.99@mail-server.example.net"),
            // card numbers (test numbers of each network, with and without separators)
            s("cards", "4111111111111111"),
            s("cards", "4012 8888 8888 1881"),
            s("cards", "5555-5555-5555-4444"),
            s("cards", "5105105105105100"),
            s("cards", "2223003122003222"),
            s("cards", "378282246310005"),
            s("cards", "3714 496353 98431"),
            s("cards", "6011111111111117"),
            s("cards", "6011 0009 9013 9424"),
            s("cards", "3530111333300000"),
            s("cards", "30569309025904"),
            s("cards", "4242-4242-4242-4242"),
            // phone numbers
            s("phones", "+1 415-555-0132"),
            s("phones", "+14155550132"),
            s("phones", "(212) 555-0147"),
            s("phones", "646.555.0199"),
            s("phones", "1-800-555-0199"),
            s("phones", "+44 20 7946 0958"),
            s("phones", "+44 7700 900123"),
            s("phones", "020 7946 0958"),
            s("phones", "07700 900461"),
            s("phones", "+49 30 901820"),
            s("phones", "+4915123456789"),
            s("phones", "+33 1 42 68 53 00"),
            s("phones", "+61 2 9876 5432"),
            s("phones", "4155550132"),
            s("phones", "(415)555-0132"),
            s("phones", "+1 (415) 555-0132"),
            s("phones", "+81 3-1234-5678"),
            s("phones", "+353 1 234 5678"),
            s("phones", "06 12 34 56 78"),
            s("phones", "+91 98765 43210"),
            s("phones", "212.555.0147"),
            // more credentials (issue 15, item 6)
            s("secrets", "postgres://admin:Hunter2pw@db-internal/orders", "Hunter2pw"),
            s("secrets", "mysql://root:S3cr3tPw@10.0.0.5:3306/app", "S3cr3tPw"),
            s("secrets", "amqp://guest:Gu3st-Pass@rabbit:5672", "Gu3st-Pass"),
            s("secrets", "https://x-access-token:ghs_aB3dE5fG7hI9jK1lM3nO5pQ7rS9tU1vW3xY5zz@github.com/o/r.git",
                    "ghs_aB3dE5fG7hI9jK1lM3nO5pQ7rS9tU1vW3xY5zz"),
            s("secrets", "-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nlQOYBGXa9kMBCAC7vQ2\n=Xy12\n"
                    + "-----END PGP PRIVATE KEY BLOCK-----", "lQOYBGXa9kMBCAC7vQ2"),
            s("secrets", "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----",
                    "b3BlbnNzaC1rZXktdjEAAAAA"),
            s("secrets", "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIIrYSSNQFaA2Hwf1duRSxKtLYX5CB04fSeQ6tF1aY\n"
                    + "-----END EC PRIVATE KEY-----", "MHcCAQEEIIrYSSNQFaA2Hwf1duRSxKtLYX5CB04fSeQ6tF1aY"),
            s("secrets", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"),
            s("secrets", "sk_live_51HxYzABCdefGHIjklMNOpqr"),
            s("secrets", "rk_test_4eC39HqLyjWDarjtT1zdp7dc"),
            s("secrets", "https://hooks.slack.com/services/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",
                    "q8R9s0T1u2V3w4X5y6Z7a8B9"),
            s("secrets", "https://hooks.slack.com/workflows/T0A1B2C3D/A4E5F6G7H/123456789/Zz9Yy8Xx7Ww6",
                    "Zz9Yy8Xx7Ww6"),
            s("secrets", "ya29.a0AfH6SMBx3kVwqLrM9nP2zT5yU8iO1pQ4sD7fG0hJ"),
            s("secrets", "the AWS secret is wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
            s("secrets", "aws_secret_access_key = je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY",
                    "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY"),
            s("secrets", "my GitHub OAuth token is 3f2a9c4e8b1d7f6a5c3e2b1a0d9f8e7c6b5a4d3e",
                    "3f2a9c4e8b1d7f6a5c3e2b1a0d9f8e7c6b5a4d3e"),
            s("secrets", "glpat-xY9zK3lM7qP2rS8tV4wB"),
            s("secrets", "xoxs-1234567890-abcdefABCDEF"),
            s("secrets", "Cookie: session=9fA3kQz81Lm", "9fA3kQz81Lm"),
            s("secrets", "Set-Cookie: id=a3fWa77Qx; Path=/", "a3fWa77Qx"),
            s("secrets", "passcode: 887766", "887766"),
            s("secrets", "access_key=AbCdEf0123456789", "AbCdEf0123456789"),
            s("secrets", "private_key: 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC'", "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC"),
            s("secrets", "Authorization: token 0123456789abcdef0123456789abcdef01234567",
                    "0123456789abcdef0123456789abcdef01234567"),
            s("secrets", "X-Api-Key: 7a1b2c3d4e5f", "7a1b2c3d4e5f"),
            // more e-mail addresses
            s("emails", "a@b.co"),
            s("emails", "o'brien@example.ie", "brien@example.ie"),
            s("emails", "support@xn--bcher-kva.example"),
            s("emails", "first_last@company.travel"),
            s("emails", "admin@mail.internal.example.com"),
            s("emails", "user%tag@example.org"),
            // more card numbers
            s("cards", "4000056655665556"),
            s("cards", "4000 0566 5566 5556"),
            s("cards", "5200828282828210"),
            s("cards", "6200000000000005"),
            s("cards", "36227206271667"),
            s("cards", "4917610000000000003"),
            s("cards", "DE89370400440532013000"),
            s("cards", "GB29NWBK60161331926819"),
            s("cards", "FR1420041010050500013M02606"),
            s("cards", "DE89 3704 0044 0532 0130 00", "3704 0044 0532 0130"),
            s("cards", "NL91ABNA0417164300"));

    /** JSON fields whose values are secrets whatever they look like. */
    private static final Map<String, String> SECRET_FIELDS = Map.of(
            "password", "hunter2!",
            "apiKey", "k-12345-abcde",
            "client_secret", "cs_live_abc",
            "sessionToken", "opaque-session-9",
            "privateKey", "MIIEvQIBADANBgkq",
            "pass", "tr0ub4dor-x",
            "pin", "49210873",
            "passcode", "887-766",
            "cookie", "sid=9fA3kQ",
            "set-cookie", "session=Zx81Lm; Path=/");

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
            "555-0132",
            "1767225600",
            "https://github.com/acme/app/commit/9fceb02d0ae598e95dc970b74767f19372d61af8",
            "sha1 da39a3ee5e6b4b0d3255bfef95601890afd80709",
            "https://api.example.com:8443/v1/orders?id=42",
            "postgres://db.example.com/orders",
            "see user:alice@host review",
            "PT10M",
            "ISBN 0-306-40615-2",
            "SKU 12345-67890",
            "IP 2001:db8::8a2e:370:7334",
            "v2.3.4-SNAPSHOT",
            "DE12 is the route",
            "GB00 FAKE",
            "pass the salt",
            "the pin on the map",
            "cookies are baked",
            "tokens used: 4096",
            "spin: 3",
            "compass: north",
            "bypass_cache: true",
            "3.14159265358979",
            "0.00000123",
            "lat 51.5074 lon -0.1278",
            "invoice 2026-0001-17",
            "build 20260302.1",
            "port 5432",
            "1000000000",
            "+1 day",
            "a+b=c",
            "the-quick_brown.fox@",
            "@here and @channel",
            "name@",
            "4111-1111",
            "1234 5678 9012",
            "TASK-1234567890",
            "MD5 d41d8cd98f00b204e9800998ecf8427e",
            "AbcdefghijAbcdefghijAbcdefghijAbcdefghij");

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final GuardScope SCOPE = GuardScope.builder().agent("support").session("s-42").build();

    @TempDir
    Path dir;

    @RegisterExtension
    final CapturedDecisionLog logged = new CapturedDecisionLog();

    @Test
    void noSecretReachesTheLogOrTheAuditFileAndLookAlikesAreLeftAlone() throws Exception {
        assertThat(SECRETS.size() + SECRET_FIELDS.size() + LOOK_ALIKES.size()).isGreaterThanOrEqualTo(150);
        assertThat(LOOK_ALIKES).hasSizeGreaterThanOrEqualTo(50);
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
        // each class measured: how many of its samples left no trace in any sink
        Map<String, int[]> byClass = new java.util.TreeMap<>();
        for (Sample x : SECRETS) {
            int[] c = byClass.computeIfAbsent(x.cls, k -> new int[2]);
            c[0]++;
            if (!audit.contains(x.needle) && !logOutput.contains(x.needle) && !recentText.toString().contains(x.needle)) {
                c[1]++;
            }
        }
        int[] fields = byClass.computeIfAbsent("secrets (JSON keys)", k -> new int[2]);
        for (String v : SECRET_FIELDS.values()) {
            fields[0]++;
            fields[1] += audit.contains(v) || logOutput.contains(v) ? 0 : 1;
        }
        StringBuilder table = new StringBuilder("redaction corpus, samples redacted per class:");
        byClass.forEach((cls, c) -> table.append(String.format("%n  %-20s %3d of %3d", cls, c[1], c[0])));
        System.out.println(table);
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

        List<String> altered = new ArrayList<>();
        for (String lookAlike : LOOK_ALIKES) {
            String encoded = JSON.writeValueAsString(lookAlike);
            String inner = encoded.substring(1, encoded.length() - 1);
            if (count(audit, inner) < 6 || count(logOutput, inner) < 6) {
                altered.add(lookAlike);
            }
        }
        System.out.printf("redaction corpus, near-misses left intact: %d of %d%n", LOOK_ALIKES.size() - altered.size(),
                LOOK_ALIKES.size());
        assertThat(altered).as("look-alikes that were redacted").isEmpty();
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

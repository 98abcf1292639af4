package dev.agentguard.core.redact;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The redaction classes one by one, their boundaries, JSON arguments, selection and custom patterns. */
class RedactorTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final Redactor all = Redactor.all();

    @ParameterizedTest
    @ValueSource(strings = {
        "sk-abcdefghijklmnopqrstuvwxyz0123456789ABCD",
        "sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z_-Ab3dEf6hIj9kLm2nOp5q",
        "sk-ant-api03-Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0Fe-Dc9Ba8Zx7Yw6Vu5Ts4Rq3Po2Nm1Lk0JiAA",
        "AKIAIOSFODNN7EXAMPLE",
        "ghp_1234567890abcdefghijklmnopqrstuvwxyzAB",
        "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTU",
        "AIzaSyA-1234567890abcdefghijklmnopqrstu",
        "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx",
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
    })
    void vendorKeysAndJwtsAreSecrets(String secret) {
        String text = "calling the API with " + secret + ", please";

        assertThat(all.redact(text)).isEqualTo("calling the API with [REDACTED:secret], please");
    }

    @Test
    void bearerBasicAndKeyValueCredentials() {
        assertThat(all.redact("Authorization: Bearer abcdefABCDEF0123456789.xyz"))
                .isEqualTo("Authorization: Bearer [REDACTED:secret]");
        assertThat(all.redact("got 401 with bearer 0123456789abcdefghijklmnop"))
                .isEqualTo("got 401 with bearer [REDACTED:secret]");
        assertThat(all.redact("Authorization: Basic dXNlcjpodW50ZXIy"))
                .isEqualTo("Authorization: Basic [REDACTED:secret]");
        assertThat(all.redact("connect password=hunter2&user=bob"))
                .isEqualTo("connect password=[REDACTED:secret]&user=bob");
        assertThat(all.redact("db_password: 'correct horse battery'"))
                .isEqualTo("db_password: '[REDACTED:secret]'");
        assertThat(all.redact("{\"client_secret\": \"s3cr3t\\\"quoted\"}"))
                .isEqualTo("{\"client_secret\": \"[REDACTED:secret]\"}");
        assertThat(all.redact("-----BEGIN RSA PRIVATE KEY-----\nMIIEow\nIBAAK\n-----END RSA PRIVATE KEY----- done"))
                .isEqualTo("[REDACTED:secret] done");
    }

    @Test
    void tokenCountsAreNotCredentials() {
        String text = "max_tokens=1024, prompt of 70000 tokens is over the 60000-token cap; token_count: 12";

        assertThat(all.redact(text)).isSameAs(text);
    }

    @Test
    void emails() {
        assertThat(all.redact("mail jane.doe+tag@example.co.uk or BOB@Mail.Example.com."))
                .isEqualTo("mail [REDACTED:email] or [REDACTED:email].");
        String notEmails = "npm @scope/pkg, lib@1.2.3, user@localhost";
        assertThat(all.redact(notEmails)).isSameAs(notEmails);
    }

    @Test
    void anAddressEndsAtItsLastTopLevelDomain() {
        assertThat(all.redact("to a@b.cc.dd-x now")).isEqualTo("to [REDACTED:email].dd-x now");
        assertThat(all.redact("mail a@b.com.")).isEqualTo("mail [REDACTED:email].");
        assertThat(all.redact("a@b.com,c@d.org")).isEqualTo("[REDACTED:email],[REDACTED:email]");
        assertThat(all.redact("reply: ...jane@example.com")).isEqualTo("reply: ...[REDACTED:email]");
        String notEmails = "no: x@-b.com, x@b.c0m, x@b..com";
        assertThat(all.redact(notEmails)).isSameAs(notEmails);
    }

    @Test
    void cardsMustPassLuhnAndHaveANetworkPrefix() {
        assertThat(all.redact("card 4111 1111 1111 1111 exp 12/29")).isEqualTo("card [REDACTED:card] exp 12/29");
        assertThat(all.redact("amex 3782-822463-10005")).isEqualTo("amex [REDACTED:card]");
        assertThat(all.redact("mc 5555555555554444;")).isEqualTo("mc [REDACTED:card];");
        String notCards = "luhn fails 4111111111111112, no prefix 1234567812345670, epoch ms 1767225600000,"
                + " isbn 978-3-16-148410-0";
        assertThat(all.redact(notCards)).isSameAs(notCards);
    }

    @Test
    void phones() {
        assertThat(all.redact("call +1 415-555-0132 or +44 20 7946 0958 or +4915123456789"))
                .isEqualTo("call [REDACTED:phone] or [REDACTED:phone] or [REDACTED:phone]");
        assertThat(all.redact("US (415) 555-0132, 415.555.0132, 1-800-555-0199"))
                .isEqualTo("US [REDACTED:phone], [REDACTED:phone], [REDACTED:phone]");
        assertThat(all.redact("UK 020 7946 0958 and 07700 900123")).isEqualTo("UK [REDACTED:phone] and [REDACTED:phone]");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "order ORD-2026-000123 shipped",
        "order #100234987 and invoice INV-4821-9937",
        "uuid 123e4567-e89b-12d3-a456-426614174000",
        "uuid 12345678-1234-1234-1234-123456789012",
        "date 2026-03-02T09:00:00Z and 02/03/2026 and 2026-03-02",
        "ip 192.168.100.200 and 10.0.0.1:8080",
        "version 17.0.15+6 and v1.22.333",
        "amount $1,234.56 and +100.00 and 1e-5",
        "timezone +05:30",
        "sha d41d8cd98f00b204e9800998ecf8427e",
        "tracking 1Z999AA10123456784",
        "task-1234567890abcdefghijklmnopqrstu",
    })
    void lookAlikesAreLeftAlone(String text) {
        assertThat(all.redact(text)).isSameAs(text);
    }

    @Test
    void jsonArgumentsStayValidJson() throws Exception {
        String args = "{\"to\":\"jane@example.com\",\"apiKey\":\"abc123\",\"nested\":{\"password\":42,"
                + "\"list\":[\"call +1 415-555-0132\",4111111111111111,\"ok\"]},\"maxTokens\":512,"
                + "\"price\":0.10,\"credentials\":{\"user\":\"bob\"}}";

        String out = all.redactArguments(args);

        JsonNode n = JSON.readTree(out);
        assertThat(n.get("to").asText()).isEqualTo("[REDACTED:email]");
        assertThat(n.get("apiKey").asText()).isEqualTo("[REDACTED:secret]");
        assertThat(n.at("/nested/password").asText()).isEqualTo("[REDACTED:secret]");
        assertThat(n.at("/nested/list/0").asText()).isEqualTo("call [REDACTED:phone]");
        assertThat(n.at("/nested/list/1").asText()).isEqualTo("[REDACTED:card]");
        assertThat(n.at("/nested/list/2").asText()).isEqualTo("ok");
        assertThat(n.get("maxTokens").asInt()).isEqualTo(512);
        assertThat(n.get("price").decimalValue()).isEqualByComparingTo("0.10");
        assertThat(n.at("/credentials/user").asText()).isEqualTo("[REDACTED:secret]");
    }

    @Test
    void jsonWithNothingToRedactIsReturnedAsItIs() {
        String args = "{ \"q\" : \"weather in Paris\", \"n\": 3 }";

        assertThat(all.redactArguments(args)).isSameAs(args);
    }

    @Test
    void keysAreRedactedWithoutCollisions() throws Exception {
        String out = all.redactArguments("{\"a@example.com\":1,\"b@example.com\":2}");

        JsonNode n = JSON.readTree(out);
        assertThat(n.size()).isEqualTo(2);
        assertThat(out).doesNotContain("example.com");
    }

    @Test
    void duplicateKeysCannotHideAValue() {
        String out = all.redactArguments("{\"q\":\"sk-abcdefghijklmnopqrstuvwxyz0123\",\"q\":\"safe\"}");

        assertThat(out).doesNotContain("sk-abcdefghijklmnopqrstuvwxyz0123");
    }

    @Test
    void brokenJsonIsRedactedAsText() {
        assertThat(all.redactArguments("{\"password\": \"hunter2\", \"to\": \"jane@example.com\""))
                .isEqualTo("{\"password\": \"[REDACTED:secret]\", \"to\": \"[REDACTED:email]\"");
    }

    @Test
    void classesAreSelectable() {
        Redactor emailsOnly = Redactor.builder().classes(RedactionClass.EMAILS).build();
        String text = "jane@example.com 4111111111111111 sk-abcdefghijklmnopqrstuvwxyz0123";

        assertThat(emailsOnly.redact(text)).isEqualTo("[REDACTED:email] 4111111111111111 sk-abcdefghijklmnopqrstuvwxyz0123");
        assertThat(emailsOnly.redactArguments("{\"password\":\"x\"}")).isEqualTo("{\"password\":\"x\"}");
        assertThat(Redactor.none().redact(text)).isSameAs(text);
        assertThat(emailsOnly.classes()).containsExactly(RedactionClass.EMAILS);
    }

    @Test
    void customPatternsRunFirst() {
        Redactor r = Redactor.builder().pattern("employee-id", "EMP-\\d{6}").build();

        assertThat(r.redact("EMP-123456 asked jane@example.com")).isEqualTo("[REDACTED:employee-id] asked [REDACTED:email]");
        assertThat(r.toString()).isEqualTo("Redactor[secrets, emails, cards, phones, custom:employee-id]");
    }

    @Test
    void badCustomPatternsAreRefusedByName() {
        assertThatThrownBy(() -> Redactor.builder().pattern("x", "("))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("\"x\"").hasMessageContaining("(");
        assertThatThrownBy(() -> Redactor.builder().pattern("Bad Label", "a"))
                .hasMessageContaining("Bad Label");
        assertThatThrownBy(() -> Redactor.builder().pattern("empty", "a*"))
                .hasMessageContaining("matches the empty string");
    }

    @Test
    void classIdsParseAsPoliciesWriteThem() {
        assertThat(List.of("secrets", "Emails", " cards ", "phones")).map(RedactionClass::of)
                .containsExactly(RedactionClass.values());
        assertThatThrownBy(() -> RedactionClass.of("emailz")).hasMessage(
                "unknown redaction class \"emailz\"; expected one of secrets, emails, cards, phones");
    }

    @Test
    void sensitiveKeys() {
        assertThat(List.of("password", "db_password", "apiKey", "x-api-key", "AWS_SECRET_ACCESS_KEY", "client.secret",
                "refresh_token", "sessionToken", "Authorization", "credentials", "passphrase"))
                .allMatch(Redactor::isSensitiveKey);
        assertThat(List.of("maxTokens", "max_tokens", "token_count", "tokenizer", "keyboard", "author", "query"))
                .noneMatch(Redactor::isSensitiveKey);
    }
}

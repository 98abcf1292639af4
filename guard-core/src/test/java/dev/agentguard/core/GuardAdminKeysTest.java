package dev.agentguard.core;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.agentguard.core.audit.AuditConfig;
import dev.agentguard.core.audit.AuditSink;
import dev.agentguard.core.common.Action;
import dev.agentguard.core.common.Scope;
import dev.agentguard.core.common.Unit;
import dev.agentguard.core.common.Usage;
import dev.agentguard.core.log.CapturedDecisionLog;
import dev.agentguard.core.log.DecisionLog;
import dev.agentguard.core.pricing.ModelPrice;
import dev.agentguard.core.redact.RedactionClass;
import dev.agentguard.core.redact.Redactor;
import java.lang.management.ManagementFactory;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.event.KeyValuePair;

/**
 * The operator's snapshot of every budget key and the reset of one, through the platform MBean server; the
 * operator's identity in its own field of the decision record (audit file and log), redacted when the redaction
 * config says so; and reasons in the admin view passed through the redactor.
 */
class GuardAdminKeysTest {

    private static final String[] KEY_ACTION = {String.class.getName(), String.class.getName(),
            String.class.getName(), String.class.getName()};

    @TempDir
    Path dir;

    @RegisterExtension
    final CapturedDecisionLog log = new CapturedDecisionLog();

    private final FakeTicker ticker = new FakeTicker();
    private final FakeClock clock = new FakeClock(Instant.parse("2026-03-01T10:00:00Z"));

    private Guard guard(String name, Path audit, RedactionClass... redact) {
        Budget perSession = Budget.builder("session-calls").scope(Scope.SESSION).sliding(Duration.ofHours(1))
                .limitCalls(1).onExceed(OnExceed.suspend(Duration.ofMinutes(10))).build();
        Budget tenantTokens = Budget.builder("tenant-tokens").scope(Scope.TENANT).sliding(Duration.ofDays(1))
                .limitTokens(1_000).build();
        GuardConfig config = GuardConfig.builder().name(name)
                .price("m", ModelPrice.builder().input(BigDecimal.ONE).output(BigDecimal.ONE).build())
                .budget(perSession).budget(tenantTokens).build();
        AuditConfig.Builder auditConfig = AuditConfig.builder().file(audit).shutdownHook(false);
        if (redact.length > 0) {
            auditConfig.redact(redact);
        }
        AuditSink sink = AuditSink.builder(auditConfig.build()).clock(clock).build();
        return Guard.builder(config).ticker(ticker).clock(clock).listener(sink).listener(new DecisionLog()).build();
    }

    private static Admission call(Guard guard, String session) {
        Admission a = guard.admitModelCall(ModelCall.builder("m")
                .scope(GuardScope.builder().agent("a").session(session).tenant("acme").build())
                .promptTokens(10).maxOutputTokens(10).build());
        if (a.proceeds()) {
            a.settle(Usage.of(10, 5));
        }
        return a;
    }

    @Test
    void everyKeyIsInTheSnapshotAndAResetThroughJmxFreesItAndIsRecordedWithItsOperator() throws Exception {
        Path audit = dir.resolve("keys.jsonl");
        Guard guard = guard("keys-test", audit);
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName name = guard.admin().registerMBean();
        try {
            assertThat(call(guard, "s1").proceeds()).isTrue();
            assertThat(call(guard, "s2").proceeds()).isTrue();
            assertThat(call(guard, "s1").decision().action()).isEqualTo(Action.SUSPEND);

            List<GuardAdmin.KeyState> keys = guard.admin().keys(null);
            assertThat(keys).extracting(GuardAdmin.KeyState::budgetId, GuardAdmin.KeyState::scopeKey)
                    .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("session-calls", "s1"),
                            org.assertj.core.groups.Tuple.tuple("session-calls", "s2"),
                            org.assertj.core.groups.Tuple.tuple("tenant-tokens", "acme"));
            GuardAdmin.KeyState s1 = guard.admin().keys("session-calls").stream()
                    .filter(k -> k.scopeKey().equals("s1")).findFirst().orElseThrow();
            assertThat(s1.used()).isEqualTo(1);
            assertThat(s1.reserved()).isZero();
            assertThat(s1.limit()).isEqualTo(1);
            assertThat(s1.unit()).isEqualTo(Unit.CALLS);
            assertThat(s1.suspendedUntil()).isEqualTo(Instant.parse("2026-03-01T10:10:00Z"));
            assertThat(s1.windowEnd()).isBetween(Instant.parse("2026-03-01T10:59:00Z"),
                    Instant.parse("2026-03-01T11:00:00Z"));
            GuardAdmin.KeyState acme = guard.admin().keys("tenant-tokens").get(0);
            assertThat(acme.used()).isEqualTo(30);
            assertThat(acme.limit()).isEqualTo(1_000);
            assertThat(acme.suspendedUntil()).isNull();
            assertThat((String[]) server.getAttribute(name, "BudgetKeys")).hasSize(3)
                    .anySatisfy(l -> assertThat(l).startsWith("session-calls[s1] 1 call used of 1 call, 0 calls reserved,"
                            + " window ends 2026-03-01T1").endsWith(", suspended until 2026-03-01T10:10:00Z"));

            assertThat((Boolean) server.invoke(name, "resetKey",
                    new Object[] {"session-calls", "s1", "ops@example.com", "refunded"}, KEY_ACTION)).isTrue();
            assertThat((Boolean) server.invoke(name, "resetKey",
                    new Object[] {"session-calls", "s9", "ops", "nothing there"}, KEY_ACTION)).isFalse();
            assertThat(guard.admin().state("session-calls", "s1").used()).isZero();
            assertThat(guard.admin().state("session-calls", "s1").suspendedUntil()).as("a reset lifts nothing")
                    .isNotNull();
            guard.admin().lift("session-calls", "s1", "ops", "reset and lifted");
            assertThat(call(guard, "s1").proceeds()).as("reset and lifted: a call fits again").isTrue();
            assertThat(guard.admin().state("tenant-tokens", "acme").used()).as("other keys keep their spend")
                    .isEqualTo(45);
        } finally {
            guard.close();
        }

        List<String> lines = Files.readAllLines(audit);
        assertThat(lines).filteredOn(l -> l.contains("\"rule\":\"admin.reset\"")).hasSize(2)
                .anySatisfy(l -> assertThat(l).contains("\"operator\":\"[REDACTED:email]\"")
                        .contains("operator [REDACTED:email] reset the spend of session s1 on budget session-calls:"
                                + " refunded").doesNotContain("ops@example.com"))
                .anySatisfy(l -> assertThat(l).contains("\"operator\":\"ops\"").contains("(it held none)"));
        assertThat(lines).filteredOn(l -> l.contains("\"rule\":\"admin.lift\"")).singleElement().asString()
                .contains("\"operator\":\"ops\"");
        assertThat(lines).filteredOn(l -> l.contains("\"rule\":\"budgets.")).allSatisfy(l ->
                assertThat(l).doesNotContain("\"operator\""));
        ILoggingEvent logged = log.events().stream()
                .filter(e -> e.getFormattedMessage().contains("admin.reset")).findFirst().orElseThrow();
        assertThat(logged.getKeyValuePairs()).extracting(kv -> kv.key, kv -> kv.value)
                .contains(org.assertj.core.groups.Tuple.tuple("operator", "[REDACTED:email]"));
    }

    @Test
    void theOperatorIsKeptInClearWhenTheRedactionConfigDoesNotRedactEmails() throws Exception {
        Path audit = dir.resolve("clear.jsonl");
        Guard guard = guard("clear-test", audit, RedactionClass.SECRETS);
        try {
            guard.admin().stopSession("s1", "ops@example.com", "runaway");
            guard.admin().resumeSession("s1", "ops@example.com", "fixed");
            guard.admin().grant("tenant-tokens", "acme", Limit.tokens(10), Duration.ofHours(1), "ops@example.com",
                    "launch");
        } finally {
            guard.close();
        }
        assertThat(Files.readAllLines(audit)).filteredOn(l -> l.contains("\"rule\":\"admin."))
                .hasSize(3).allSatisfy(l -> assertThat(l).contains("\"operator\":\"ops@example.com\""));
    }

    @Test
    void reasonsInTheAdminViewPassThroughTheRedactor() throws Exception {
        Guard guard = guard("view-test", dir.resolve("view.jsonl"));
        ObjectName name = guard.admin().registerMBean();
        try {
            guard.admin().stopSession("s1", "ops", "customer jane.doe@example.com asked, key sk-proj-"
                    + "abcdefghijklmnopqrstuvwxyz0123456789ABCD");
            assertThat(call(guard, "s1").proceeds()).isFalse();

            GuardAdmin.Refusal refusal = guard.admin().recentRefusals().get(0);
            assertThat(refusal.reason()).contains("[REDACTED:email]").contains("[REDACTED:secret]")
                    .doesNotContain("jane.doe").doesNotContain("sk-proj-abc");
            String[] lines = (String[]) ManagementFactory.getPlatformMBeanServer().getAttribute(name,
                    "RecentRefusals");
            assertThat(lines).singleElement().asString().contains("[REDACTED:email]").doesNotContain("jane.doe");
        } finally {
            guard.close();
        }
    }

    @Test
    void theAdminRedactorCanBeChosen() {
        Budget b = Budget.builder("calls").scope(Scope.SESSION).sliding(Duration.ofHours(1)).limitCalls(5).build();
        GuardConfig config = GuardConfig.builder().name("chosen").budget(b).build();
        Guard guard = Guard.builder(config).ticker(ticker).clock(clock)
                .adminRedactor(Redactor.builder().classes(RedactionClass.SECRETS).build()).build();
        try {
            guard.admin().stopSession("s1", "ops", "asked by jane.doe@example.com");
            guard.admitToolCall(ToolCall.of(GuardScope.builder().session("s1").build(), "t", "{}"));
            assertThat(guard.admin().recentRefusals().get(0).reason()).contains("jane.doe@example.com");
        } finally {
            guard.close();
        }
    }
}

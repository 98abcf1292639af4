package dev.agentguard.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentguard.core.audit.AuditConfig;
import dev.agentguard.core.audit.AuditSink;
import dev.agentguard.core.common.Action;
import dev.agentguard.core.common.Scope;
import dev.agentguard.core.common.Usage;
import dev.agentguard.core.pricing.ModelPrice;
import java.lang.management.ManagementFactory;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.RuntimeMBeanException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Operator actions through the platform MBean server: a suspension seen and lifted, a session stopped and resumed,
 * every action recorded in the audit file with the operator and the reason.
 */
class GuardAdminMBeanTest {

    private static final String[] LIFT = {String.class.getName(), String.class.getName(), String.class.getName(),
            String.class.getName()};
    private static final String[] SESSION_ACTION = {String.class.getName(), String.class.getName(),
            String.class.getName()};

    @TempDir
    Path dir;

    private final FakeTicker ticker = new FakeTicker();
    private final FakeClock clock = new FakeClock(Instant.parse("2026-03-01T10:00:00Z"));
    private final GuardScope s1 = GuardScope.builder().agent("a").session("s1").build();

    private Guard guard(Path audit) {
        Budget perSession = Budget.builder("session-calls").scope(Scope.SESSION).sliding(Duration.ofHours(1))
                .limitCalls(1).onExceed(OnExceed.suspend(Duration.ofMinutes(10))).build();
        GuardConfig config = GuardConfig.builder().name("ops-test")
                .price("m", ModelPrice.builder().input(BigDecimal.ONE).output(BigDecimal.ONE).build())
                .budget(perSession).build();
        AuditSink sink = AuditSink.builder(AuditConfig.builder().file(audit).shutdownHook(false).build()).clock(clock)
                .build();
        return Guard.builder(config).ticker(ticker).clock(clock).listener(sink).build();
    }

    private Admission call(Guard guard) {
        Admission a = guard.admitModelCall(ModelCall.builder("m").scope(s1).promptTokens(1).maxOutputTokens(1)
                .build());
        if (a.proceeds()) {
            a.settle(Usage.of(1, 1));
        }
        return a;
    }

    @Test
    void liftStopAndResumeThroughJmxAreRecordedInTheAuditFile() throws Exception {
        Path audit = dir.resolve("audit.jsonl");
        Guard guard = guard(audit);
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName name = guard.admin().registerMBean();
        assertThat(name).isEqualTo(new ObjectName("dev.agentguard:type=Guard,name=\"ops-test\""));
        try {
            assertThat(call(guard).proceeds()).isTrue();
            Admission suspended = call(guard);
            assertThat(suspended.decision().action()).isEqualTo(Action.SUSPEND);
            assertThat((String[]) server.getAttribute(name, "Suspensions"))
                    .singleElement().asString().startsWith("session-calls session=s1 until 2026-03-01T10:10:00");
            assertThat((String) server.invoke(name, "describe", new Object[] {"session-calls", "s1"},
                    new String[] {String.class.getName(), String.class.getName()}))
                    .isEqualTo("session-calls[s1] 1 call used of 1 call, 0 calls reserved, suspended until"
                            + " 2026-03-01T10:10:00Z");
            assertThat(guard.admitToolCall(ToolCall.of(s1, "x", "{}")).proceeds()).as("suspended: no tools")
                    .isFalse();

            assertThat((Boolean) server.invoke(name, "lift",
                    new Object[] {"session-calls", "s1", "alice@ops", "customer upgraded"}, LIFT)).isTrue();
            assertThat(guard.admin().suspensions()).isEmpty();
            assertThat(guard.admin().state("session-calls", "s1").suspendedUntil()).isNull();
            Admission tool = guard.admitToolCall(ToolCall.of(s1, "x", "{}"));
            assertThat(tool.proceeds()).as("lifted: tools run again").isTrue();
            tool.complete();

            assertThat((Boolean) server.invoke(name, "stopSession",
                    new Object[] {"s1", "bob", "runaway agent"}, SESSION_ACTION)).isTrue();
            assertThat((String[]) server.getAttribute(name, "StoppedSessions")).containsExactly("s1");
            Admission stopped = guard.admitToolCall(ToolCall.of(s1, "y", "{}"));
            assertThat(stopped.proceeds()).isFalse();
            assertThat(stopped.decision().rule()).isEqualTo(GuardAdmin.RULE_STOP);
            assertThat(stopped.decision().reason()).isEqualTo("session s1 was stopped by operator bob: runaway agent");
            assertThat(guard.admitToolCall(ToolCall.of(GuardScope.builder().agent("a").session("s2").build(), "y",
                    "{}")).proceeds()).as("other sessions go on").isTrue();
            assertThat(guard.admin().recentRefusals()).extracting(GuardAdmin.Refusal::rule)
                    .containsExactly("budgets.session-calls", "budgets.session-calls", "admin.stop");
            String[] refusalLines = (String[]) server.getAttribute(name, "RecentRefusals");
            assertThat(refusalLines[refusalLines.length - 1])
                    .endsWith("tool_call block admin.stop session=s1 tool=y: session s1 was stopped by operator bob:"
                            + " runaway agent");
            assertThat((Boolean) server.invoke(name, "resumeSession", new Object[] {"s1", "bob", "fixed"},
                    SESSION_ACTION)).isTrue();
            Admission resumed = guard.admitToolCall(ToolCall.of(s1, "z", "{}"));
            assertThat(resumed.proceeds()).isTrue();
            resumed.complete();

            assertThatThrownBy(() -> server.invoke(name, "stopSession", new Object[] {"s1", " ", "no one"},
                    SESSION_ACTION)).isInstanceOf(RuntimeMBeanException.class)
                    .hasRootCauseMessage("an operator identity (letters, digits, . _ @ + -, up to 128) is required,"
                            + " was ' '");
        } finally {
            guard.close();
        }
        assertThat(server.isRegistered(name)).as("close unregisters").isFalse();

        List<String> lines = Files.readAllLines(audit);
        assertThat(lines).filteredOn(l -> l.contains("\"rule\":\"admin.lift\"")).singleElement().asString()
                .contains("operator alice@ops lifted the suspension of session s1 by budget session-calls:"
                        + " customer upgraded");
        assertThat(lines).filteredOn(l -> l.contains("\"rule\":\"admin.stop\"")).hasSize(2) // the action, the refusal
                .anySatisfy(l -> assertThat(l).contains("operator bob stopped session s1: runaway agent"));
        assertThat(lines).filteredOn(l -> l.contains("\"rule\":\"admin.resume\"")).singleElement().asString()
                .contains("operator bob resumed session s1: fixed");
    }

    @Test
    void aGrantRaisesAKeysLimitUntilItExpires() throws Exception {
        Budget tenantCalls = Budget.builder("tenant-calls").scope(Scope.TENANT).sliding(Duration.ofDays(1))
                .limitCalls(2).build();
        GuardConfig config = GuardConfig.builder().name("grant-test")
                .price("m", ModelPrice.builder().input(BigDecimal.ONE).output(BigDecimal.ONE).build())
                .budget(tenantCalls).build();
        Path audit = dir.resolve("grant.jsonl");
        AuditSink sink = AuditSink.builder(AuditConfig.builder().file(audit).shutdownHook(false).build()).clock(clock)
                .build();
        Guard guard = Guard.builder(config).ticker(ticker).clock(clock).listener(sink).build();
        GuardScope acme = GuardScope.builder().tenant("acme").build();
        ObjectName name = guard.admin().registerMBean();
        try {
            java.util.function.Supplier<Boolean> call = () -> {
                Admission a = guard.admitModelCall(ModelCall.builder("m").scope(acme).promptTokens(1)
                        .maxOutputTokens(1).build());
                if (a.proceeds()) {
                    a.settle(Usage.of(1, 1));
                }
                return a.proceeds();
            };
            assertThat(call.get()).isTrue();
            assertThat(call.get()).isTrue();
            assertThat(call.get()).isFalse();
            ManagementFactory.getPlatformMBeanServer().invoke(name, "grantAllowance",
                    new Object[] {"tenant-calls", "acme", "1", "PT2H", "carol", "launch day"},
                    new String[] {String.class.getName(), String.class.getName(), String.class.getName(),
                            String.class.getName(), String.class.getName(), String.class.getName()});
            GuardAdmin.KeyState state = guard.admin().state("tenant-calls", "acme");
            assertThat(state.limit()).isEqualTo(3);
            assertThat(state.granted()).isEqualTo(1);
            assertThat(state.used()).isEqualTo(2);
            assertThat(call.get()).as("the grant's one call").isTrue();
            assertThat(call.get()).isFalse();
            assertThat(guard.admitModelCall(ModelCall.builder("m").scope(GuardScope.builder().tenant("other").build())
                    .promptTokens(1).maxOutputTokens(1).build()).decision().proceeds()).isTrue();

            ticker.advance(Duration.ofHours(2).plusSeconds(1));
            clock.advance(Duration.ofHours(2).plusSeconds(1));
            assertThat(guard.admin().state("tenant-calls", "acme").limit()).as("expired").isEqualTo(2);
            assertThat(call.get()).isFalse();
            assertThatThrownBy(() -> guard.admin().grant("tenant-calls", "acme", Limit.usd("1"),
                    Duration.ofHours(1), "carol", "x")).hasMessage("budget tenant-calls counts calls, the grant was $1.00");
            assertThatThrownBy(() -> guard.admin().grant("tenant-calls", "acme", Limit.calls(1),
                    Duration.ofDays(400), "carol", "x")).hasMessageContaining("at most 366 days");
        } finally {
            guard.close();
        }
        assertThat(Files.readAllLines(audit)).filteredOn(l -> l.contains("\"rule\":\"admin.grant\""))
                .singleElement().asString()
                .contains("operator carol granted tenant acme 1 call more on budget tenant-calls for PT2H: launch day");
    }

    @Test
    void anUnknownBudgetOrAMissingReasonIsRefused() {
        Guard guard = guard(dir.resolve("a.jsonl"));
        try {
            assertThatThrownBy(() -> guard.admin().lift("nope", "s1", "alice", "x"))
                    .hasMessage("the guard's policy has no budget 'nope'");
            assertThatThrownBy(() -> guard.admin().stopSession("s1", "alice", " ")).hasMessage("a reason is required");
            assertThat(guard.admin().stoppedSessions()).isEmpty();
        } finally {
            guard.close();
        }
    }
}

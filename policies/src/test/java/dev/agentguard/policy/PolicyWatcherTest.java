package dev.agentguard.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.agentguard.core.common.Action;
import dev.agentguard.core.Admission;
import dev.agentguard.core.common.CallKind;
import dev.agentguard.core.DecisionEvent;
import dev.agentguard.core.FakeClock;
import dev.agentguard.core.FakeTicker;
import dev.agentguard.core.Guard;
import dev.agentguard.core.GuardScope;
import dev.agentguard.core.common.Mode;
import dev.agentguard.core.ModelCall;
import dev.agentguard.core.common.Usage;
import dev.agentguard.policy.PolicyWatcher.Outcome;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Hot reload with fake time: a changed file is applied to new admissions, the state of the running guard carries
 * over, and a broken change keeps the last good policy, reported as a decision and a WARN. The test model costs
 * $2.50 per million input and $10 per million output tokens, so 1,000 prompt tokens capped at 500 output tokens
 * reserve $0.0075.
 */
class PolicyWatcherTest {

    private static final GuardScope SESSION = GuardScope.builder().agent("support").session("s1").build();

    @TempDir
    Path dir;

    private final FakeTicker ticker = new FakeTicker();
    private final FakeTicker watcherTicker = new FakeTicker();
    private final FakeClock clock = new FakeClock(Instant.parse("2026-05-04T09:00:00Z"));
    private final List<DecisionEvent> events = new CopyOnWriteArrayList<>();
    private final ListAppender<ILoggingEvent> log = new ListAppender<>();
    private final Logger watcherLog = (Logger) LoggerFactory.getLogger(PolicyWatcher.class);

    @BeforeEach
    void captureLog() {
        log.start();
        watcherLog.addAppender(log);
    }

    @AfterEach
    void releaseLog() {
        watcherLog.detachAppender(log);
    }

    private static String policy(String name, String limitUsd, String extra) {
        return "version: 1\nname: " + name + "\n"
                + "pricing:\n  acme-model: { input: 2.50, output: 10.00 }\n"
                + "budgets:\n"
                + "  - { id: session-10m, scope: session, window: 10m, limit: { costUsd: " + limitUsd + " } }\n"
                + extra;
    }

    private Path write(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
    }

    private Guard guard(Path file) {
        return Guard.builder(Policies.parse(file).config()).ticker(ticker).clock(clock).listener(events::add).build();
    }

    /** Polls as a watcher does while a change settles: once, and again after the settle period. */
    private Outcome settled(PolicyWatcher watcher) {
        Outcome first = watcher.poll();
        if (first != Outcome.SETTLING) {
            return first;
        }
        assertThat(watcher.poll()).as("not before the settle period").isEqualTo(Outcome.SETTLING);
        watcherTicker.advance(PolicyWatcher.DEFAULT_SETTLE);
        return watcher.poll();
    }

    private static Admission admit(Guard guard) {
        return guard.admitModelCall(ModelCall.builder("acme-model").scope(SESSION).promptTokens(1_000)
                .maxOutputTokens(500).build());
    }

    private void advance(Duration d) {
        ticker.advance(d);
        clock.advance(d);
    }

    private List<DecisionEvent> policyEvents() {
        return events.stream().filter(e -> e.kind() == CallKind.POLICY).toList();
    }

    @Test
    void spendUnderV1CountsUnderV2AndABrokenV3LeavesV2Active() throws IOException {
        Path file = write("support.yaml", policy("v1", "1.00", ""));
        Guard guard = guard(file);
        PolicyWatcher watcher = PolicyWatcher.builder(file, guard).ticker(watcherTicker).build();
        assertThat(watcher.poll()).isEqualTo(Outcome.UNCHANGED);

        // v1: two calls settle $0.015 into session-10m
        admit(guard).settle(Usage.of(1_000, 500));
        advance(Duration.ofMinutes(1));
        admit(guard).settle(Usage.of(1_000, 500));
        Admission inFlight = admit(guard); // reserved under v1, settled under v2
        advance(Duration.ofMinutes(1));

        // v2 lowers the limit of the same budget to $0.03
        write("support.yaml", policy("v2", "0.03", ""));
        assertThat(settled(watcher)).isEqualTo(Outcome.RELOADED);
        assertThat(guard.config().name()).isEqualTo("v2");
        assertThat(watcher.current().name()).isEqualTo("v2");
        assertThat(guard.budgetUsed("session-10m", "s1")).as("v1 spend and the v1 reservation").isEqualTo(22_500_000);

        inFlight.settle(Usage.of(1_000, 500));
        Admission fourth = admit(guard);
        assertThat(fourth.proceeds()).as("$0.0225 + $0.0075 fits in $0.03").isTrue();
        fourth.settle(Usage.of(1_000, 500));
        Admission fifth = admit(guard);
        assertThat(fifth.decision().action()).as("$0.03 + $0.0075 > $0.03").isEqualTo(Action.BLOCK);
        assertThat(fifth.decision().limit()).isEqualTo(30_000_000);

        // the window keeps sliding under v2: the first v1 call leaves it ten minutes after it was made
        advance(Duration.ofMinutes(8) .plusSeconds(30));
        assertThat(guard.budgetUsed("session-10m", "s1")).isEqualTo(22_500_000);
        assertThat(admit(guard).proceeds()).isTrue();

        // v3 is broken: v2 stays, and the rejection is a decision and a WARN
        write("support.yaml", policy("v3", "0.01", "mode: loud\n"));
        assertThat(settled(watcher)).isEqualTo(Outcome.REJECTED);
        assertThat(guard.config().name()).isEqualTo("v2");
        assertThat(guard.config().budgets().get(0).limit()).isEqualTo(30_000_000);
        assertThat(watcher.current().name()).isEqualTo("v2");
        assertThat(watcher.lastRejection()).get().extracting(Throwable::getMessage)
                .isEqualTo(file + ":7:7 mode: expected enforce | shadow, got \"loud\"");

        DecisionEvent rejected = policyEvents().get(policyEvents().size() - 1);
        assertThat(rejected.decision().action()).isEqualTo(Action.WARN);
        assertThat(rejected.decision().rule()).isEqualTo(Guard.RULE_POLICY_RELOAD);
        assertThat(rejected.guard()).isEqualTo("v2");
        assertThat(rejected.decision().reason()).contains(file + ":7:7 mode");
        assertThat(log.list).filteredOn(e -> e.getLevel() == Level.WARN).hasSize(1).first()
                .extracting(ILoggingEvent::getFormattedMessage).asString()
                .contains("does not load; v2 stays in force").contains(file + ":7:7 mode");

        assertThat(watcher.poll()).as("the same broken content is reported once").isEqualTo(Outcome.UNCHANGED);
        assertThat(policyEvents()).hasSize(2);

        // fixing it reloads
        write("support.yaml", policy("v4", "0.01", "mode: shadow\n"));
        assertThat(settled(watcher)).isEqualTo(Outcome.RELOADED);
        assertThat(guard.config().mode()).isEqualTo(Mode.SHADOW);
        assertThat(watcher.lastRejection()).isEmpty();
        assertThat(policyEvents()).extracting(e -> e.decision().action())
                .containsExactly(Action.ALLOW, Action.WARN, Action.ALLOW);
    }

    @Test
    void savingTheSameContentDoesNothing() throws IOException {
        Path file = write("p.yaml", policy("same", "1.00", ""));
        Guard guard = guard(file);
        PolicyWatcher watcher = PolicyWatcher.builder(file, guard).ticker(watcherTicker).build();

        write("p.yaml", policy("same", "1.00", ""));
        Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.from(Instant.parse("2030-01-01T00:00:00Z")));

        assertThat(watcher.poll()).isEqualTo(Outcome.UNCHANGED);
        assertThat(policyEvents()).isEmpty();
    }

    @Test
    void aChangeToAnExtendedFileReloads() throws IOException {
        write("base.yaml", "version: 1\nmode: enforce\n");
        Path file = write("p.yaml", "version: 1\nextends: base.yaml\n");
        Guard guard = guard(file);
        PolicyWatcher watcher = PolicyWatcher.builder(file, guard).ticker(watcherTicker).build();
        assertThat(watcher.watchedFiles()).containsExactly(file, dir.resolve("base.yaml"));

        write("base.yaml", "version: 1\nmode: shadow\n");

        assertThat(settled(watcher)).isEqualTo(Outcome.RELOADED);
        assertThat(guard.config().mode()).isEqualTo(Mode.SHADOW);
    }

    @Test
    void aDeletedFileIsRejectedAndItsReturnReloads() throws IOException {
        Path file = write("p.yaml", policy("v1", "1.00", ""));
        Guard guard = guard(file);
        PolicyWatcher watcher = PolicyWatcher.builder(file, guard).ticker(watcherTicker).build();

        Files.delete(file);
        assertThat(settled(watcher)).isEqualTo(Outcome.REJECTED);
        assertThat(watcher.lastRejection().orElseThrow().getMessage()).contains("cannot read the file");
        assertThat(guard.config().name()).isEqualTo("v1");

        write("p.yaml", policy("v2", "1.00", ""));
        assertThat(settled(watcher)).isEqualTo(Outcome.RELOADED);
    }

    @Test
    void anAgentOfAMultiAgentFileIsWatched() throws IOException {
        Path file = write("agents.yaml", "version: 1\nagents:\n  support: { mode: enforce }\n  billing: {}\n");
        Guard guard = Guard.of(Policies.parseAgents(file).get("support").config());
        PolicyWatcher watcher = PolicyWatcher.builder(file, guard).ticker(watcherTicker).agent("support").build();

        write("agents.yaml", "version: 1\nagents:\n  support: { mode: shadow }\n  billing: {}\n");

        assertThat(settled(watcher)).isEqualTo(Outcome.RELOADED);
        assertThat(guard.config().name()).isEqualTo("support");
        assertThat(guard.config().mode()).isEqualTo(Mode.SHADOW);
    }

    @Test
    void aWatcherNeedsAFileThatLoadsNow() throws IOException {
        Path file = write("p.yaml", "version: 1\nmode: loud\n");
        Guard guard = Guard.of(Policies.parse(write("ok.yaml", "version: 1\n")).config());

        assertThatThrownBy(() -> PolicyWatcher.builder(file, guard).ticker(watcherTicker).build()).isInstanceOf(PolicyException.class);
    }

    @Test
    void startedInTheBackgroundItReloadsOnAFileSystemEvent() throws Exception {
        Path file = write("p.yaml", policy("v1", "1.00", ""));
        Guard guard = guard(file);
        CountDownLatch reloaded = new CountDownLatch(1);
        guard.addListener(e -> {
            if (e.kind() == CallKind.POLICY && e.decision().action() == Action.ALLOW) {
                reloaded.countDown();
            }
        });
        try (PolicyWatcher watcher = PolicyWatcher.builder(file, guard).quietPeriod(Duration.ofMillis(20)).build()
                .start()) {
            write("p.yaml", policy("v2", "1.00", ""));

            assertThat(reloaded.await(30, TimeUnit.SECONDS)).as("reloaded by the watch thread").isTrue();
            assertThat(guard.config().name()).isEqualTo("v2");
            assertThat(watcher.current().name()).isEqualTo("v2");
            assertThatThrownBy(watcher::start).isInstanceOf(IllegalStateException.class);
        }
    }
}

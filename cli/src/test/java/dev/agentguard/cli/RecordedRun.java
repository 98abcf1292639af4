package dev.agentguard.cli;

import dev.agentguard.core.Admission;
import dev.agentguard.core.DecisionEvent;
import dev.agentguard.core.FakeClock;
import dev.agentguard.core.FakeTicker;
import dev.agentguard.core.Guard;
import dev.agentguard.core.GuardConfig;
import dev.agentguard.core.GuardScope;
import dev.agentguard.core.ModelCall;
import dev.agentguard.core.ToolCall;
import dev.agentguard.core.audit.AuditConfig;
import dev.agentguard.core.audit.AuditSink;
import dev.agentguard.core.common.Usage;
import dev.agentguard.policy.Policies;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Fixtures made by real guarded calls: a guard built from a YAML policy, with an audit sink, on fake time; the
 * scenarios of the demo (a tool loop, a growing context, a session that spends, a failing call) driven through the
 * low-level protocol (admit, then settle, fail or complete). Every event is also kept in memory, so that tests can
 * compute what a report should say without reading the file.
 */
final class RecordedRun {

    /** The policy the fixtures are recorded under; prices come from the bundled catalog. */
    static final String POLICY = """
            version: 1
            name: support-bot
            mode: enforce
            unknownModel: block
            defaultMaxOutputTokens: 1000
            models:
              ladder: [gpt-4.1, gpt-4.1-mini]
            budgets:
              - id: session-10m
                scope: session
                window: 10m
                limit: { costUsd: 0.04 }
                warnAt: [50%]
                downgradeAt: 85%
                onExceed: block
            caps:
              promptTokens: { max: 2500, onExceed: truncate }
            loops:
              identicalToolCalls: { warnAt: 3, blockAt: 5 }
              onLoop: feedback
            """;

    static final String EMAIL = "jane.doe@example.com";
    static final String ORDER_ARGS = "{\"orderId\":\"A-1042\",\"email\":\"" + EMAIL + "\"}";

    final Path auditFile;
    final List<DecisionEvent> events = new CopyOnWriteArrayList<>();
    final FakeClock clock = FakeClock.at("2026-03-02T09:00:00Z");
    final FakeTicker ticker = new FakeTicker();
    private final Guard guard;

    private RecordedRun(Path auditFile, GuardConfig config) {
        this.auditFile = auditFile;
        AuditSink sink = AuditSink.builder(AuditConfig.builder().file(auditFile).shutdownHook(false).build())
                .clock(clock).build();
        this.guard = Guard.builder(config).ticker(ticker).clock(clock).listener(events::add).listener(sink).build();
    }

    /**
     * Records the four scenarios into an audit file and closes the guard (which seals the file).
     *
     * @param auditFile where
     * @return the run, with its events
     */
    static RecordedRun demo(Path auditFile) {
        return demo(auditFile, POLICY);
    }

    /**
     * Records the four scenarios under another policy; the calls made are the same whatever it decides.
     *
     * @param auditFile where
     * @param policy the policy, as YAML
     * @return the run, with its events
     */
    static RecordedRun demo(Path auditFile, String policy) {
        RecordedRun run = new RecordedRun(auditFile, config(policy));
        run.toolLoop("support", "loop-1");
        run.growingContext("support", "chat-2");
        run.spend("analyst", "report-3");
        run.failing("triage", "fail-4");
        run.guard.close();
        return run;
    }

    static GuardConfig config(String yaml) {
        return Policies.parse(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), "policy.yaml")
                .config();
    }

    private void step(long millis) {
        clock.advance(Duration.ofMillis(millis));
        ticker.advance(Duration.ofMillis(millis));
    }

    /** One model call that answers after {@code latencyMs}, reporting this usage. */
    private void modelCall(GuardScope scope, String model, long promptTokens, long latencyMs, long outputTokens) {
        Admission a = guard.admitModelCall(ModelCall.builder(model).scope(scope).provider("openai")
                .promptTokens(promptTokens).maxOutputTokens(1000).build());
        if (!a.proceeds()) {
            step(5);
            return;
        }
        long input = promptTokens;
        if (a.decision().targetPromptTokens() > 0 && a.decision().targetPromptTokens() < promptTokens) {
            input = a.decision().targetPromptTokens();
            a.truncated(2, promptTokens - input);
        }
        step(latencyMs);
        a.settle(Usage.of(input, 0, 0, outputTokens, 0));
        step(1_000);
    }

    /** The model asks for the same order again and again: warned, refused with feedback, then blocked. */
    void toolLoop(String agent, String session) {
        GuardScope scope = GuardScope.builder().agent(agent).session(session).build();
        modelCall(scope, "gpt-4.1-mini", 400, 350, 40);
        for (int i = 0; i < 6; i++) {
            Admission a = guard.admitToolCall(ToolCall.of(scope, "lookup_order", ORDER_ARGS));
            if (a.proceeds()) {
                step(40 + i);
                a.complete();
            }
            modelCall(scope, "gpt-4.1-mini", 500 + 60L * i, 300 + 25L * i, 30);
        }
    }

    /** A conversation whose prompt grows past the prompt cap: truncated. */
    void growingContext(String agent, String session) {
        GuardScope scope = GuardScope.builder().agent(agent).session(session).build();
        for (int part = 1; part <= 5; part++) {
            modelCall(scope, "gpt-4.1-mini", 700L * part, 500 + 80L * part, 60);
        }
    }

    /** Long prompts on the expensive model: warned, downgraded, then blocked by the session budget. */
    void spend(String agent, String session) {
        GuardScope scope = GuardScope.builder().agent(agent).session(session).build();
        for (int chunk = 1; chunk <= 12; chunk++) {
            modelCall(scope, "gpt-4.1", 2_000, 1_200 + 90L * chunk, 900);
        }
    }

    /** A call that fails after the provider counted the prompt. */
    void failing(String agent, String session) {
        GuardScope scope = GuardScope.builder().agent(agent).session(session).build();
        modelCall(scope, "gpt-4.1-mini", 300, 200, 20);
        Admission a = guard.admitModelCall(ModelCall.builder("gpt-4.1-mini").scope(scope).promptTokens(300)
                .maxOutputTokens(100).build());
        step(700);
        a.fail(new IOException("connection reset"), Usage.of(300, 0, 0, 0, 0));
    }

    /** @return the admissions */
    List<DecisionEvent.CallAdmitted> pre() {
        List<DecisionEvent.CallAdmitted> out = new ArrayList<>();
        for (DecisionEvent e : events) {
            if (e instanceof DecisionEvent.CallAdmitted a) {
                out.add(a);
            }
        }
        return out;
    }

    /** @return the settlements */
    List<DecisionEvent.CallSettled> post() {
        List<DecisionEvent.CallSettled> out = new ArrayList<>();
        for (DecisionEvent e : events) {
            if (e instanceof DecisionEvent.CallSettled s) {
                out.add(s);
            }
        }
        return out;
    }

    static Instant start() {
        return Instant.parse("2026-03-02T09:00:00Z");
    }
}

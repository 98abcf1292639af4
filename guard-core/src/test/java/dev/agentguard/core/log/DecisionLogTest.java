package dev.agentguard.core.log;

import dev.agentguard.core.TestEvents;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentguard.core.common.Action;
import dev.agentguard.core.Admission;
import dev.agentguard.core.Budget;
import dev.agentguard.core.DecisionEvent;
import dev.agentguard.core.FakeClock;
import dev.agentguard.core.FakeTicker;
import dev.agentguard.core.Guard;
import dev.agentguard.core.GuardConfig;
import dev.agentguard.core.GuardScope;
import dev.agentguard.core.LoopRules;
import dev.agentguard.core.ModelCall;
import dev.agentguard.core.common.Phase;
import dev.agentguard.core.common.Scope;
import dev.agentguard.core.ToolCall;
import dev.agentguard.core.common.Usage;
import dev.agentguard.core.audit.DecisionRecord;
import dev.agentguard.core.pricing.ModelPrice;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import net.logstash.logback.encoder.LogstashEncoder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.MDC;
import org.slf4j.event.KeyValuePair;

/**
 * The decision log through a capturing logback backend: a scripted session of a real guard (allowed calls, a
 * warn, a downgrade, a feedback, a block) gives exactly one log event per decision, at the documented level,
 * with the record's fields as key-values, which a JSON encoder renders as fields.
 */
class DecisionLogTest {

    private static final GuardScope S42 = GuardScope.builder().agent("support").session("s-42").build();

    private final FakeTicker ticker = new FakeTicker();
    private final FakeClock clock = new FakeClock(Instant.parse("2026-03-02T09:00:00Z"));
    private final List<DecisionEvent> events = new CopyOnWriteArrayList<>();
    @RegisterExtension
    final CapturedDecisionLog log = new CapturedDecisionLog();

    private Guard guard() {
        GuardConfig config = GuardConfig.builder().name("support-bot")
                .price("big", ModelPrice.builder().input(BigDecimal.TEN).output(BigDecimal.TEN).build())
                .price("small", ModelPrice.builder().input(BigDecimal.ONE).output(BigDecimal.ONE).build())
                .ladder(List.of("big", "small"))
                .budget(Budget.builder("session-10m").scope(Scope.SESSION).sliding(Duration.ofMinutes(10))
                        .limitUsd("0.01").warnAt(30).downgradeAt(50).build())
                .loops(LoopRules.builder().identicalToolCalls(LoopRules.Threshold.of(3, 5)).build())
                .build();
        return Guard.builder(config).ticker(ticker).clock(clock).listener(events::add).listener(new DecisionLog())
                .build();
    }

    /** 100 prompt + 100 output tokens: big reserves $0.002. */
    private Admission modelCall(Guard guard) {
        return guard.admitModelCall(ModelCall.builder("big").scope(S42).promptTokens(100).maxOutputTokens(100).build());
    }

    private List<Action> scriptedSession(Guard guard) {
        List<Action> actions = new ArrayList<>();
        for (int i = 0; i < 3; i++) { // allow, warn (past 30%), downgrade (past 50%)
            Admission a = modelCall(guard);
            actions.add(a.decision().action());
            ticker.advance(Duration.ofMillis(840));
            a.settle(Usage.of(100, 100));
        }
        for (int i = 0; i < 6; i++) { // allow, allow, warn, warn, feedback, block
            Admission a = guard.admitToolCall(ToolCall.of(S42, "search_web", "{\"q\":\"weather in Paris\"}"));
            actions.add(a.decision().action());
            a.complete();
        }
        return actions;
    }

    @Test
    void oneLogEventPerDecisionWithTheDocumentedLevelsAndFields() {
        List<Action> actions = scriptedSession(guard());

        assertThat(actions).containsExactly(Action.ALLOW, Action.WARN, Action.DOWNGRADE, Action.ALLOW, Action.ALLOW,
                Action.WARN, Action.WARN, Action.FEEDBACK, Action.BLOCK);
        List<ILoggingEvent> logged = log.events();
        assertThat(logged).hasSameSizeAs(events).hasSize(9 + 7); // 9 admissions, 7 of them went ahead and settled
        for (int i = 0; i < events.size(); i++) {
            DecisionEvent e = events.get(i);
            ILoggingEvent l = logged.get(i);
            Map<String, Object> kv = keyValues(l);
            assertThat(kv.get("seq")).isEqualTo(e.seq());
            assertThat(kv.get("action")).isEqualTo(e.action().id());
            assertThat(l.getLevel().toString()).isEqualTo(expectedLevel(e.action()));
            List<String> expectedKeys = new ArrayList<>(DecisionRecord.FIELDS);
            if (TestEvents.call(e).tool() != null) {
                expectedKeys.add("arguments");
            }
            List<String> request = DecisionRecord.REQUEST_FIELDS.stream().filter(kv::containsKey).toList();
            assertThat(request).as("an admission's request fields (record version 2)")
                    .isEqualTo(e instanceof DecisionEvent.CallAdmitted ? request : List.of());
            expectedKeys.addAll(request);
            expectedKeys.add(DecisionRecord.V);
            assertThat(kv.keySet()).containsExactlyElementsOf(expectedKeys);
        }
        assertThat(logged).extracting(l -> l.getLevel().toString()).containsExactly(
                "DEBUG", "DEBUG", "INFO", "DEBUG", "INFO", "DEBUG",             // model: allow, warn, downgrade
                "DEBUG", "DEBUG", "DEBUG", "DEBUG", "INFO", "DEBUG", "INFO", "DEBUG", // tools: allow ×2, warn ×2
                "INFO", "WARN");                                                // feedback, block
    }

    private static String expectedLevel(Action a) {
        switch (a) {
            case ALLOW:
            case RECORD:
                return "DEBUG";
            case BLOCK:
            case SUSPEND:
                return "WARN";
            default:
                return "INFO";
        }
    }

    @Test
    void aNewlineInAnIdentifierCannotForgeALogLine() {
        Guard guard = guard();
        GuardScope forged = GuardScope.builder().agent("support")
                .session("s1\nWARN  BLOCK tool_call transfer_funds session=s1 rule=x: forged\u2028").build();
        guard.admitToolCall(ToolCall.of(forged, "search\rweb", "{}")).complete();

        List<String> messages = log.events().stream().map(ILoggingEvent::getFormattedMessage)
                .collect(Collectors.toList());
        assertThat(messages).isNotEmpty().allSatisfy(m -> assertThat(m).doesNotContain("\n", "\r", "\u2028"));
        assertThat(messages.get(0)).isEqualTo("ALLOW tool_call search\\rweb session=s1\\nWARN  BLOCK tool_call"
                + " transfer_funds session=s1 rule=x: forged\\u2028: within every limit");
    }

    @Test
    void messagesReadAsSentences() {
        scriptedSession(guard());

        List<String> messages = log.events().stream().map(ILoggingEvent::getFormattedMessage)
                .collect(Collectors.toList());
        assertThat(messages.get(0)).isEqualTo("ALLOW model_call big session=s-42: within every limit");
        assertThat(messages.get(1)).isEqualTo("RECORD model_call big session=s-42: ok in 840 ms, cost $0.002"
                + " (reserved $0.002)");
        assertThat(messages.get(2)).startsWith("WARN model_call big session=s-42 rule=budgets.session-10m: ");
        assertThat(messages.get(4)).isEqualTo("DOWNGRADE model_call big->small session=s-42 rule=budgets.session-10m:"
                + " session budget session-10m would be past its downgradeAt 50% with this call on big ($0.006 of"
                + " $0.01 used or reserved); using small instead of big");
        assertThat(messages.get(14)).isEqualTo("FEEDBACK tool_call search_web session=s-42"
                + " rule=loops.identicalToolCalls: identical call to search_web repeated 5 times (limit 5)");
        assertThat(messages.get(15)).startsWith("BLOCK tool_call search_web session=s-42"
                + " rule=loops.identicalToolCalls: ");
    }

    @Test
    void keyValuesCarryTheRecordFields() {
        scriptedSession(guard());

        Map<String, Object> downgrade = keyValues(log.events().get(4));
        assertThat(downgrade).containsEntry("guard", "support-bot").containsEntry("mode", "enforce")
                .containsEntry("kind", "model_call").containsEntry("phase", "pre")
                .containsEntry("rule", "budgets.session-10m").containsEntry("observed", "0.006")
                .containsEntry("limit", "0.005").containsEntry("unit", "usd").containsEntry("agent", "support")
                .containsEntry("session", "s-42").containsEntry("user", null).containsEntry("model", "small")
                .containsEntry("requestedModel", "big").containsEntry("tool", null).containsEntry("usage", null)
                .containsEntry("costUsd", null).containsEntry("reservedUsd", "0.0002").containsEntry("priced", true)
                .containsEntry("ts", "2026-03-02T09:00:00Z").containsEntry("outcome", null);
        Map<String, Object> record = keyValues(log.events().get(1));
        assertThat(record).containsEntry("phase", "post").containsEntry("action", "record")
                .containsEntry("costUsd", "0.002").containsEntry("latencyMs", 840L).containsEntry("ttftMs", null)
                .containsEntry("outcome", "ok");
        assertThat(record.get("usage")).isEqualTo(usage(100L, 0L, 0L, 100L, 0L));
        Map<String, Object> tool = keyValues(log.events().get(6));
        assertThat(tool).containsEntry("tool", "search_web").containsEntry("arguments", "{\"q\":\"weather in Paris\"}")
                .containsEntry("costUsd", null).containsEntry("priced", null).containsEntry("model", null);
    }

    private static Map<String, Long> usage(Long... counts) {
        Map<String, Long> m = new LinkedHashMap<>();
        for (int i = 0; i < counts.length; i++) {
            m.put(DecisionRecord.USAGE_FIELDS.get(i), counts[i]);
        }
        return m;
    }

    @Test
    void aJsonEncoderRendersTheKeyValuesAsFields() throws Exception {
        scriptedSession(guard());
        LogstashEncoder encoder = new LogstashEncoder();
        encoder.setContext(log.logger().getLoggerContext());
        encoder.start();

        JsonNode block = new ObjectMapper().readTree(new String(encoder.encode(log.events().get(15)),
                StandardCharsets.UTF_8));
        JsonNode record = new ObjectMapper().readTree(new String(encoder.encode(log.events().get(1)),
                StandardCharsets.UTF_8));

        encoder.stop();
        assertThat(block.get("logger_name").asText()).isEqualTo("agentguard.decision");
        assertThat(block.get("level").asText()).isEqualTo("WARN");
        assertThat(block.get("action").asText()).isEqualTo("block");
        assertThat(block.get("rule").asText()).isEqualTo("loops.identicalToolCalls");
        assertThat(block.get("observed").asText()).isEqualTo("6");
        assertThat(block.get("limit").asText()).isEqualTo("5");
        assertThat(block.get("session").asText()).isEqualTo("s-42");
        assertThat(record.at("/usage/output").asLong()).isEqualTo(100);
        assertThat(record.at("/usage/input").asLong()).isEqualTo(100);
        assertThat(record.get("costUsd").asText()).isEqualTo("0.002");
    }

    @Test
    void disabledLevelsLogNothing() {
        log.logger().setLevel(Level.WARN);

        scriptedSession(guard());

        assertThat(log.events()).singleElement().satisfies(l -> assertThat(keyValues(l).get("action"))
                .isEqualTo("block"));
    }

    @Test
    void itWantsTheActionsWhoseLevelIsOnAndFollowsALevelChange() {
        DecisionLog decisionLog = new DecisionLog();
        log.logger().setLevel(Level.INFO);
        assertThat(decisionLog.wants(Action.ALLOW)).isFalse();
        assertThat(decisionLog.wants(Action.RECORD)).isFalse();
        assertThat(decisionLog.wants(Action.WARN)).isTrue();
        assertThat(decisionLog.wants(Action.BLOCK)).isTrue();

        log.logger().setLevel(Level.DEBUG);
        assertThat(decisionLog.wants(Action.ALLOW)).isTrue();
        assertThat(decisionLog.wants(Action.RECORD)).isTrue();
    }

    @Test
    void shadowDecisionsSaySo() {
        GuardConfig config = GuardConfig.builder().name("shadow").mode(dev.agentguard.core.common.Mode.SHADOW)
                .loops(LoopRules.builder().identicalToolCalls(LoopRules.Threshold.of(0, 2)).build()).build();
        Guard guard = Guard.builder(config).ticker(ticker).clock(clock).listener(new DecisionLog()).build();
        guard.admitToolCall(ToolCall.of(S42, "t", "{}")).complete();
        guard.admitToolCall(ToolCall.of(S42, "t", "{}")).complete();

        ILoggingEvent feedback = log.events().stream().filter(l -> "feedback".equals(keyValues(l).get("action")))
                .findFirst().orElseThrow();
        assertThat(feedback.getFormattedMessage()).startsWith("FEEDBACK (shadow) tool_call t session=s-42");
        assertThat(keyValues(feedback)).containsEntry("shadow", true).containsEntry("mode", "shadow");
    }

    @Test
    void mdcHoldsAgentAndSessionWhileACallRunsAndIsRestoredAfter() {
        MDC.put(GuardMdc.SESSION, "outer");
        try (GuardMdc.Binding b = GuardMdc.bind(S42)) {
            assertThat(MDC.get(GuardMdc.AGENT)).isEqualTo("support");
            assertThat(MDC.get(GuardMdc.SESSION)).isEqualTo("s-42");
            try (GuardMdc.Binding inner = GuardMdc.bind(GuardScope.builder().session("s-43").build())) {
                assertThat(MDC.get(GuardMdc.AGENT)).isNull();
                assertThat(MDC.get(GuardMdc.SESSION)).isEqualTo("s-43");
            }
            assertThat(MDC.get(GuardMdc.SESSION)).isEqualTo("s-42");
        }
        assertThat(MDC.get(GuardMdc.AGENT)).isNull();
        assertThat(MDC.get(GuardMdc.SESSION)).isEqualTo("outer");
        MDC.remove(GuardMdc.SESSION);
    }

    @Test
    void levelsPerAction() {
        assertThat(DecisionLog.levelOf(Action.ALLOW)).isEqualTo(org.slf4j.event.Level.DEBUG);
        assertThat(DecisionLog.levelOf(Action.RECORD)).isEqualTo(org.slf4j.event.Level.DEBUG);
        for (Action a : List.of(Action.WARN, Action.DOWNGRADE, Action.TRUNCATE, Action.FEEDBACK)) {
            assertThat(DecisionLog.levelOf(a)).isEqualTo(org.slf4j.event.Level.INFO);
        }
        assertThat(DecisionLog.levelOf(Action.BLOCK)).isEqualTo(org.slf4j.event.Level.WARN);
        assertThat(DecisionLog.levelOf(Action.SUSPEND)).isEqualTo(org.slf4j.event.Level.WARN);
        assertThat(Phase.POST.id()).isEqualTo("post");
    }

    static Map<String, Object> keyValues(ILoggingEvent e) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (e.getKeyValuePairs() != null) {
            for (KeyValuePair kv : e.getKeyValuePairs()) {
                m.put(kv.key, kv.value);
            }
        }
        return m;
    }
}

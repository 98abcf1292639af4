package dev.agentguard.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentguard.core.Budget;
import dev.agentguard.core.telemetry.TelemetryConfig;
import dev.agentguard.core.TokenCounting;
import dev.agentguard.core.Caps;
import dev.agentguard.core.GuardConfig;
import dev.agentguard.core.LoopRules;
import dev.agentguard.core.common.Mode;
import dev.agentguard.core.OnExceed;
import dev.agentguard.core.common.Scope;
import dev.agentguard.core.common.Unit;
import dev.agentguard.core.UnknownModelPolicy;
import dev.agentguard.core.pricing.ModelPrice;
import dev.agentguard.core.pricing.TokenKind;
import dev.agentguard.core.window.CalendarPeriod;
import dev.agentguard.core.window.WindowSpec;
import java.io.ByteArrayInputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every v1 key reaches the core configuration with the value the file gives it. */
class PolicyBindingTest {

    static final Path VALID = Path.of("src/test/resources/valid");

    static Policy parse(String yaml) {
        return parse(yaml, Map.of());
    }

    static Policy parse(String yaml, Map<String, String> env) {
        return PolicyReader.withEnvironment(env)
                .parse(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), "test.yaml");
    }

    @Test
    void theDesignExampleBindsEveryKey() {
        Policy p = Policies.parse(VALID.resolve("support-bot.yaml"));
        GuardConfig c = p.config();

        assertThat(p.name()).isEqualTo("support-bot");
        assertThat(p.source()).isEqualTo(VALID.resolve("support-bot.yaml").toString());
        assertThat(p.files()).hasSize(1);
        assertThat(c.mode()).isEqualTo(Mode.ENFORCE);
        assertThat(c.unknownModel()).isEqualTo(UnknownModelPolicy.block());
        assertThat(c.defaultMaxOutputTokens()).isEqualTo(1024);
        assertThat(c.prices()).containsOnlyKeys("my-vllm-llama");
        ModelPrice llama = c.prices().get("my-vllm-llama");
        assertThat(llama).isEqualTo(ModelPrice.builder().input(new BigDecimal("0.10")).output(new BigDecimal("0.40"))
                .cacheRead(new BigDecimal("0.01")).cacheWrite(new BigDecimal("0.125")).build());
        assertThat(c.ladder()).containsExactly("gpt-4o", "gpt-4o-mini");

        assertThat(c.budgets()).hasSize(1);
        Budget b = c.budgets().get(0);
        assertThat(b.id()).isEqualTo("session-10m");
        assertThat(b.scope()).isEqualTo(Scope.SESSION);
        assertThat(b.window()).isEqualTo(WindowSpec.sliding(Duration.ofMinutes(10)));
        assertThat(b.unit()).isEqualTo(Unit.USD);
        assertThat(b.limit()).isEqualTo(2_000_000_000L);
        assertThat(b.warnAt()).containsExactly(50, 80);
        assertThat(b.downgradeAt()).isEqualTo(80);
        assertThat(b.onExceed()).isEqualTo(OnExceed.block());

        Caps caps = c.caps();
        assertThat(caps.modelCallsPerSession()).isEqualTo(40);
        assertThat(caps.modelCallsPerTurn()).isZero();
        assertThat(caps.toolCallsPerSession()).isEqualTo(100);
        assertThat(caps.toolCallsPerTurn()).isEqualTo(20);
        assertThat(caps.perTool()).containsExactly(Map.entry("search_web", 10));
        assertThat(caps.promptTokensMax()).isEqualTo(60_000);
        assertThat(caps.promptAction()).isEqualTo(Caps.PromptAction.TRUNCATE);

        LoopRules loops = c.loops();
        assertThat(loops.identicalToolCalls().warnAt()).isEqualTo(3);
        assertThat(loops.identicalToolCalls().blockAt()).isEqualTo(5);
        assertThat(loops.alternatingToolCalls().blockAt()).isEqualTo(6);
        assertThat(loops.repeatedToolError().blockAt()).isEqualTo(3);
        assertThat(loops.repeatedModelRequest().blockAt()).isEqualTo(3);
        assertThat(loops.onLoop()).isEqualTo(LoopRules.OnLoop.FEEDBACK);
        assertThat(loops.exempt()).containsExactly("wait_for_job");

        assertThat(c.health().latencyP90Above()).isEqualTo(Duration.ofSeconds(8));
        assertThat(c.health().latencyOverCalls()).isEqualTo(20);
        assertThat(c.health().errorRateAbove()).isEqualTo(50);
        assertThat(c.health().errorOverCalls()).isEqualTo(20);
        assertThat(c.health().cooldown()).isEqualTo(Duration.ofSeconds(60));

        AuditSettings audit = p.audit().orElseThrow();
        assertThat(audit.file()).isEqualTo(Path.of("logs/agent-guard-audit.jsonl"));
        assertThat(audit.redact()).containsExactly(AuditSettings.Redaction.SECRETS, AuditSettings.Redaction.EMAILS,
                AuditSettings.Redaction.CARDS, AuditSettings.Redaction.PHONES);
    }

    @Test
    void telemetryIsBoundWithTenBucketsForASlidingWindow() {
        TelemetryConfig t = parse("version: 1\ntelemetry:\n  window: 30m\n  maxSessions: 2000000\n"
                + "  sessionIdleExpiry: 2h\n  latencySamples: 500\n").config().telemetry();

        assertThat(t.window()).isEqualTo(WindowSpec.sliding(Duration.ofMinutes(30), 10));
        assertThat(t.maxSessions()).isEqualTo(2_000_000);
        assertThat(t.sessionIdleExpiry()).isEqualTo(Duration.ofHours(2));
        assertThat(t.latencySamples()).isEqualTo(500);
        assertThat(parse("version: 1\ntelemetry: { window: { calendar: day, zone: Europe/Paris } }\n").config()
                .telemetry().window()).isEqualTo(WindowSpec.calendar(CalendarPeriod.DAY, ZoneId.of("Europe/Paris")));
        assertThat(parse("version: 1\n").config().telemetry()).isEqualTo(TelemetryConfig.builder().build());
    }

    @Test
    void tokensEstimatorIsBoundToTheTokenCountingAndDefaultsToAuto() {
        assertThat(parse("version: 1\ntokens:\n  estimator: openai\n").config().tokenCounting())
                .isEqualTo(TokenCounting.OPENAI);
        assertThat(parse("version: 1\ntokens: { estimator: conservative }\n").config().tokenCounting())
                .isEqualTo(TokenCounting.CONSERVATIVE);
        assertThat(parse("version: 1\ntokens: {}\n").config().tokenCounting()).isEqualTo(TokenCounting.AUTO);
        assertThat(parse("version: 1\n").config().tokenCounting()).isEqualTo(TokenCounting.AUTO);
    }

    @Test
    void aMinimalPolicyTakesTheCoreDefaultsAndItsFileName() {
        Policy p = parse("version: 1\n");
        GuardConfig defaults = GuardConfig.builder().build();

        assertThat(p.name()).isEqualTo("test");
        assertThat(p.config().mode()).isEqualTo(defaults.mode());
        assertThat(p.config().unknownModel()).isEqualTo(defaults.unknownModel());
        assertThat(p.config().defaultMaxOutputTokens()).isEqualTo(defaults.defaultMaxOutputTokens());
        assertThat(p.config().budgets()).isEmpty();
        assertThat(p.config().caps()).isSameAs(Caps.NONE);
        assertThat(p.config().loops()).isSameAs(LoopRules.NONE);
        assertThat(p.audit()).isEmpty();
        assertThat(p.files()).isEmpty();
    }

    @Test
    void moneyIsReadAsExactDecimals() {
        Policy p = parse("version: 1\n"
                + "pricing:\n  m: {input: 0.1000000001, output: 3, cacheRead: 1e-1, reasoning: 12.000001}\n"
                + "budgets:\n  - {id: b, scope: global, window: 1h, limit: {costUsd: 0.000000001}}\n");

        ModelPrice m = p.config().prices().get("m");
        assertThat(m.usdPerMtok(TokenKind.INPUT, 0)).isEqualByComparingTo("0.1000000001");
        assertThat(m.usdPerMtok(TokenKind.OUTPUT, 0)).isEqualByComparingTo("3");
        assertThat(m.usdPerMtok(TokenKind.CACHE_READ, 0)).isEqualByComparingTo("0.1");
        assertThat(m.usdPerMtok(TokenKind.REASONING, 0)).isEqualByComparingTo("12.000001");
        assertThat(p.config().budgets().get(0).limit()).as("one nano-dollar").isEqualTo(1);
    }

    @Test
    void windowsAndResponsesInEveryForm() {
        Policy p = parse("version: 1\nbudgets:\n"
                + "  - {id: a, scope: global, window: 500ms, limit: {calls: 1}}\n"
                + "  - {id: b, scope: agent, window: PT90M, limit: {calls: 1}, onExceed: warn}\n"
                + "  - {id: c, scope: user, window: {calendar: month, zone: Europe/Paris}, limit: {tokens: 10},"
                + " onExceed: 'suspend:10m'}\n"
                + "  - {id: d, scope: tenant, window: {calendar: week}, limit: {calls: 3}, warnAt: 90%}\n"
                + "  - {id: e, scope: model, window: 1d, limit: {calls: 3}}\n");

        var b = p.config().budgets();
        assertThat(b.get(0).window()).isEqualTo(WindowSpec.sliding(Duration.ofMillis(500)));
        assertThat(b.get(1).window()).isEqualTo(WindowSpec.sliding(Duration.ofMinutes(90)));
        assertThat(b.get(1).onExceed()).isEqualTo(OnExceed.warn());
        assertThat(b.get(2).window()).isEqualTo(WindowSpec.calendar(CalendarPeriod.MONTH, ZoneId.of("Europe/Paris")));
        assertThat(b.get(2).onExceed()).isEqualTo(OnExceed.suspend(Duration.ofMinutes(10)));
        assertThat(b.get(2).unit()).isEqualTo(Unit.TOKENS);
        assertThat(b.get(3).window()).isEqualTo(WindowSpec.calendar(CalendarPeriod.WEEK, ZoneOffset.UTC));
        assertThat(b.get(3).warnAt()).containsExactly(90);
        assertThat(b.get(4).scope()).isEqualTo(Scope.MODEL);
        assertThat(b.get(4).window()).isEqualTo(WindowSpec.sliding(Duration.ofDays(1)));
    }

    @Test
    void unknownModelFormsAndShadowMode() {
        assertThat(parse("version: 1\nunknownModel: warn\nmode: shadow\n").config().unknownModel())
                .isEqualTo(UnknownModelPolicy.warn());
        assertThat(parse("version: 1\nmode: shadow\n").config().mode()).isEqualTo(Mode.SHADOW);
        assertThat(parse("version: 1\nunknownModel: assume:gpt-4o-mini\n").config().unknownModel())
                .isEqualTo(UnknownModelPolicy.assume("gpt-4o-mini"));
    }

    @Test
    void capsLoopsAndHealthOptions() {
        Policy p = parse("version: 1\nmodels: {ladder: [gpt-4o, gpt-4o-mini]}\n"
                + "caps: {modelCallsPerTurn: 7, promptTokens: {max: 100, onExceed: block}}\n"
                + "loops: {onLoop: block, exempt: [a, b], repeatedToolError: {warnAt: 2, blockAt: 4}}\n"
                + "health: {latency: {p90Above: 1500ms}, probeCalls: 5, errors: {rateAbove: 10%, overCalls: 50,"
                + " cooldown: 2m}}\n");

        assertThat(p.config().caps().modelCallsPerTurn()).isEqualTo(7);
        assertThat(p.config().caps().promptAction()).isEqualTo(Caps.PromptAction.BLOCK);
        assertThat(p.config().loops().onLoop()).isEqualTo(LoopRules.OnLoop.BLOCK);
        assertThat(p.config().loops().exempt()).containsExactly("a", "b");
        assertThat(p.config().loops().repeatedToolError().warnAt()).isEqualTo(2);
        assertThat(p.config().health().latencyP90Above()).isEqualTo(Duration.ofMillis(1500));
        assertThat(p.config().health().latencyOverCalls()).as("core default").isEqualTo(20);
        assertThat(p.config().health().errorOverCalls()).isEqualTo(50);
        assertThat(p.config().health().cooldown()).isEqualTo(Duration.ofMinutes(2));
        assertThat(p.config().health().probeCalls()).isEqualTo(5);
    }

    @Test
    void environmentVariablesAreSubstitutedInValuesAndTyped() {
        Policy p = parse("version: 1\nname: ${AGENT_NAME}\nmode: ${MODE:-shadow}\n"
                + "defaultMaxOutputTokens: ${MAX_OUT}\n"
                + "budgets:\n  - id: b\n    scope: global\n    window: ${WINDOW:-10m}\n"
                + "    limit: {costUsd: \"${BUDGET_USD}\"}\n"
                + "audit: {file: \"$${HOME}/audit.jsonl\"}\n",
                Map.of("AGENT_NAME", "billing", "MAX_OUT", "2048", "BUDGET_USD", "12.50", "WINDOW", ""));

        assertThat(p.name()).isEqualTo("billing");
        assertThat(p.config().mode()).isEqualTo(Mode.SHADOW);
        assertThat(p.config().defaultMaxOutputTokens()).isEqualTo(2048);
        assertThat(p.config().budgets().get(0).window()).as("empty counts as unset").isEqualTo(
                WindowSpec.sliding(Duration.ofMinutes(10)));
        assertThat(p.config().budgets().get(0).limit()).isEqualTo(12_500_000_000L);
        assertThat(p.audit().orElseThrow().file()).isEqualTo(Path.of("${HOME}/audit.jsonl"));
    }

    @Test
    void anUnsetVariableWithoutDefaultIsAProblemAtItsValue() {
        assertThatThrownBy(() -> parse("version: 1\nname: ${NOPE}\n"))
                .isInstanceOf(PolicyException.class)
                .hasMessage("test.yaml:2:7 name: environment variable NOPE is not set (give a default with"
                        + " ${NOPE:-default})");
    }

    @Test
    void aPriceCatalogFileIsResolvedAgainstThePolicyDirectory(@TempDir Path dir) throws Exception {
        Files.copy(Path.of("src/test/resources/catalogs/litellm-small.json"), dir.resolve("prices.json"));
        Path policy = dir.resolve("p.yaml");
        Files.writeString(policy, "version: 1\npriceCatalog: {file: prices.json, format: litellm}\n"
                + "models: {ladder: [house-model, house-model-2]}\npricing: {house-model-2: {input: 0}}\n");

        Policy p = Policies.parse(policy);

        assertThat(p.config().priceCatalog().find(null, "house-model")).isPresent();
        assertThat(p.config().priceCatalog().find(null, "gpt-4o")).as("replaces the bundled catalog").isEmpty();
    }

    @Test
    void auditRedactsEveryClassUnlessThePolicySaysNone() {
        AuditSettings a = parse("version: 1\naudit: {file: /var/log/a.jsonl}\n").audit().orElseThrow();
        assertThat(a.redact()).containsExactlyInAnyOrder(AuditSettings.Redaction.values());
        assertThat(a).isEqualTo(new AuditSettings(Path.of("/var/log/a.jsonl"),
                Set.of(AuditSettings.Redaction.values())));

        AuditSettings none = parse("version: 1\naudit: {file: /var/log/a.jsonl, redact: none}\n").audit()
                .orElseThrow();
        assertThat(none.redact()).isEmpty();
        assertThat(none).isEqualTo(new AuditSettings(Path.of("/var/log/a.jsonl"), Set.of()));
    }

    @Test
    void policiesLoadIntoAGuard() {
        var guard = Policies.load(VALID.resolve("support-bot.yaml"));
        assertThat(guard.config().name()).isEqualTo("support-bot");
        assertThat(guard.priceCatalog().find(null, "my-vllm-llama")).isPresent();
    }
}

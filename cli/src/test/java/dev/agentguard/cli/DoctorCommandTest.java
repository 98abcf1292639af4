package dev.agentguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentguard.core.audit.AuditConfig;
import dev.agentguard.core.audit.AuditSink;
import dev.agentguard.core.pricing.ModelPrice;
import dev.agentguard.core.pricing.PriceCatalog;
import dev.agentguard.core.pricing.TokenKind;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code agent-guard doctor} on real policy files, audit files written by a guard, and logging configurations. */
class DoctorCommandTest {

    private static final String LOGBACK_INFO = """
            <configuration>
              <appender name="OUT" class="ch.qos.logback.core.ConsoleAppender"/>
              <logger name="agentguard.decision" level="INFO"/>
              <root level="WARN"><appender-ref ref="OUT"/></root>
            </configuration>
            """;

    @TempDir
    Path dir;

    private Path audit;

    @BeforeEach
    void setUp() throws Exception {
        audit = dir.resolve("logs/agent-guard-audit.jsonl");
        RecordedRun.demo(audit);
        Files.writeString(dir.resolve("logback.xml"), LOGBACK_INFO);
    }

    private Path policy(String ladder, String unknownModel) throws Exception {
        Path p = dir.resolve("policy.yaml");
        Files.writeString(p, """
                version: 1
                name: support-bot
                unknownModel: %s
                models:
                  ladder: %s
                budgets:
                  - id: session-10m
                    scope: session
                    window: 10m
                    limit: { costUsd: 0.04 }
                audit:
                  file: %s
                """.formatted(unknownModel, ladder, audit.toAbsolutePath()), StandardCharsets.UTF_8);
        return p;
    }

    /** @return how doctor shows a model's rates, from the bundled catalog the guard prices with */
    private static String rates(String model) {
        ModelPrice p = PriceCatalog.bundled().find(null, model).orElseThrow().priceAt(0);
        return "$" + p.usdPerMtok(TokenKind.INPUT, 0).stripTrailingZeros().toPlainString() + " input, $"
                + p.usdPerMtok(TokenKind.OUTPUT, 0).stripTrailingZeros().toPlainString() + " output per million tokens";
    }

    private Cli.Run doctor(String... args) {
        List<String> all = new java.util.ArrayList<>(List.of("doctor", "--project", dir.toString()));
        all.addAll(List.of(args));
        return Cli.run(all.toArray(String[]::new));
    }

    @Test
    void aSoundSetupHasNoProblem() throws Exception {
        Cli.Run r = doctor("--policy", policy("[gpt-4.1, gpt-4.1-mini]", "block").toString());

        assertThat(r.status()).as(r.toString()).isEqualTo(0);
        assertThat(r.out()).contains("policy   ok     " + dir.resolve("policy.yaml") + " is valid: guard support-bot")
                .contains("gpt-4.1: " + rates("gpt-4.1"))
                .contains("gpt-4.1-mini: " + rates("gpt-4.1-mini"))
                .containsPattern("chain intact: \\d+ records in 1 file \\(sha256\\)")
                .contains("lock free")
                .contains("agentguard.decision is at INFO")
                .endsWith("no problem found\n");
    }

    @Test
    void aModelWithoutAPriceIsAnErrorWhenUnknownModelsAreBlocked() throws Exception {
        Cli.Run r = doctor("--policy", policy("[gpt-4.1]", "block").toString(), "--model", "my-llama-3", "--model",
                "gpt-4o");

        assertThat(r.status()).isEqualTo(1);
        assertThat(r.out()).contains("prices   ERROR  my-llama-3 is not in the price catalog, and unknownModel: block"
                + " refuses every call to it")
                .contains("fix: price it under pricing: in policy.yaml")
                .contains("prices   ok     gpt-4o: " + rates("gpt-4o"))
                .contains("1 problem (1 error, 0 warnings)");
    }

    @Test
    void aLadderModelWithoutAPriceMakesThePolicyInvalidWhereItIsNamed() throws Exception {
        Cli.Run r = doctor("--policy", policy("[gpt-4.1, my-llama-3]", "block").toString());

        assertThat(r.status()).isEqualTo(1);
        assertThat(r.out()).contains("policy   ERROR  " + dir.resolve("policy.yaml") + ":5:")
                .contains("models.ladder[1]: my-llama-3 has no price");
    }

    @Test
    void withAssumeTheUnknownModelIsAWarning() throws Exception {
        Cli.Run r = doctor("--policy", policy("[gpt-4.1, my-llama-3]", "assume:gpt-4.1-mini").toString());

        assertThat(r.status()).isEqualTo(1);
        assertThat(r.out()).contains("prices   WARN   my-llama-3 is not in the price catalog: it is priced as"
                + " gpt-4.1-mini");
    }

    @Test
    void anInvalidPolicyIsReportedWithWhereTheProblemIs() throws Exception {
        Path p = dir.resolve("bad.yaml");
        Files.writeString(p, "version: 1\nname: x\nbudgets:\n  - id: b\n    scope: sesion\n");

        Cli.Run r = doctor("--policy", p.toString());

        assertThat(r.status()).isEqualTo(1);
        assertThat(r.out()).contains("policy   ERROR").contains("bad.yaml:5:").contains("fix: correct each key");
    }

    @Test
    void aBrokenChainIsAnError() throws Exception {
        List<String> lines = Files.readAllLines(audit);
        lines.remove(3);
        Files.write(audit, lines);

        Cli.Run r = doctor("--policy", policy("[gpt-4.1]", "block").toString());

        assertThat(r.status()).isEqualTo(1);
        assertThat(r.out()).contains("audit    ERROR  chain broken: FAILED agent-guard-audit.jsonl:4 deleted")
                .contains("fix: run agent-guard verify");
    }

    @Test
    void aHeldLockIsReportedAndTheLiveChainStillChecked() throws Exception {
        Path live = dir.resolve("live/audit.jsonl");
        try (AuditSink sink = AuditSink.builder(AuditConfig.builder().file(live).shutdownHook(false).build()).build()) {
            Cli.Run r = doctor("--audit", live.toString());

            assertThat(r.status()).isEqualTo(1);
            assertThat(r.out()).contains("audit    WARN   the lock audit.jsonl.lock is held");
        }
        Cli.Run after = doctor("--audit", live.toString());
        assertThat(after.out()).contains("lock free");
    }

    @Test
    void loggingLevelsThatHideDecisionsAreFound() throws Exception {
        Path warn = dir.resolve("warn.xml");
        Files.writeString(warn, "<configuration><logger name=\"agentguard\" level=\"WARN\"/><root level=\"INFO\"/>"
                + "</configuration>");
        Cli.Run r = doctor("--logging", warn.toString());
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.out()).contains("logging  WARN   agentguard.decision is at WARN (" + warn
                + " <logger name=\"agentguard\">)").contains("audit checkpoints");

        Path off = dir.resolve("log4j2.xml");
        Files.writeString(off, "<Configuration><Loggers><Root level=\"off\"/></Loggers></Configuration>");
        assertThat(doctor("--logging", off.toString()).out()).contains("logging  ERROR  agentguard.decision is at OFF");

        Path lost = dir.resolve("lost.xml");
        Files.writeString(lost, "<configuration><logger name=\"agentguard.decision\" level=\"INFO\" additivity=\"false\"/>"
                + "<root level=\"INFO\"/></configuration>");
        assertThat(doctor("--logging", lost.toString()).out()).contains("no appender: decisions go nowhere");

        Path props = dir.resolve("application.properties");
        Files.writeString(props, "logging.level.root=INFO\nlogging.level.agentguard.decision=DEBUG\n");
        assertThat(doctor("--logging", props.toString()).out())
                .contains("logging  NOTE   agentguard.decision is at DEBUG (" + props + " logging.level.agentguard.decision)");
    }

    @Test
    void noLoggingConfigurationIsAWarningWithAFix() throws Exception {
        Path empty = Files.createDirectory(dir.resolve("empty"));

        Cli.Run r = Cli.run("doctor", "--project", empty.toString());

        assertThat(r.status()).isEqualTo(1);
        assertThat(r.out()).contains("logging  WARN   no logging configuration found")
                .contains("fix: give it with --logging FILE");
    }

    @Test
    void anXmlEntityIsNeverExpanded() throws Exception {
        Path evil = dir.resolve("evil.xml");
        Files.writeString(evil, "<?xml version=\"1.0\"?><!DOCTYPE c [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
                + "<configuration><root level=\"&x;\"/></configuration>");

        Cli.Run r = doctor("--logging", evil.toString());

        assertThat(r.status()).isEqualTo(1);
        assertThat(r.out()).contains("logging  ERROR").doesNotContain("root:");
    }
}

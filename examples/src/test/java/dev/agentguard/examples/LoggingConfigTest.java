package dev.agentguard.examples;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentguard.core.Admission;
import dev.agentguard.core.Guard;
import dev.agentguard.core.GuardConfig;
import dev.agentguard.core.GuardScope;
import dev.agentguard.core.LoopRules;
import dev.agentguard.core.ToolCall;
import dev.agentguard.core.log.DecisionLog;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The shipped logback configurations print guard decisions as text and as JSON with the record's fields. */
class LoggingConfigTest {

    private String logWith(String config) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream previous = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        try {
            context.reset();
            JoranConfigurator configurator = new JoranConfigurator();
            configurator.setContext(context);
            configurator.doConfigure(getClass().getResource("/" + config));
            Guard guard = Guard.builder(GuardConfig.builder().name("logging")
                    .loops(LoopRules.builder().identicalToolCalls(LoopRules.Threshold.of(2, 3)).build()).build())
                    .listener(new DecisionLog()).build();
            GuardScope scope = GuardScope.builder().agent("support").session("s-42").build();
            for (int i = 0; i < 3; i++) {
                Admission a = guard.admitToolCall(ToolCall.of(scope, "search_web", "{\"q\":\"x\"}"));
                if (a.proceeds()) {
                    a.complete();
                }
            }
            context.stop();
        } finally {
            System.setOut(previous);
            context.reset();
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void textConfigPrintsReadableLinesForWarnAndAbove() throws Exception {
        String text = logWith("logback.xml");

        assertThat(text.lines()).hasSize(2); // the warn and the feedback; allow and records are DEBUG
        assertThat(text).contains("FEEDBACK tool_call search_web session=s-42 rule=loops.identicalToolCalls");
    }

    @Test
    void jsonConfigPrintsTheRecordFields() throws Exception {
        String json = logWith("logback-json.xml");

        JsonNode feedback = new ObjectMapper().readTree(json.lines().reduce((a, b) -> b).orElseThrow());
        assertThat(feedback.path("logger_name").asText()).isEqualTo("agentguard.decision");
        assertThat(feedback.path("action").asText()).isEqualTo("feedback");
        assertThat(feedback.path("rule").asText()).isEqualTo("loops.identicalToolCalls");
        assertThat(feedback.path("session").asText()).isEqualTo("s-42");
    }
}

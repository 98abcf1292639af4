package dev.agentguard.examples.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentguard.examples.sim.OpenAiSimulator;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With {@code OPENAI_API_KEY} set, the demo talks to the endpoint of {@code OPENAI_BASE_URL} with the models of
 * {@code OPENAI_MODEL} and {@code OPENAI_CHEAP_MODEL}, on real time. Here that "real" endpoint is a second
 * simulator that only ever says hello, standing in for OpenAI or a local Ollama (no network in the build).
 */
class DemoRealModeIT {

    @Test
    void theDemoRunsAgainstTheConfiguredEndpointAndModelsAndSkipsWhatNeedsTheSimulator(@TempDir Path dir)
            throws Exception {
        try (OpenAiSimulator endpoint = OpenAiSimulator.start()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            Map<String, String> env = Map.of("OPENAI_API_KEY", "sk-test", "OPENAI_BASE_URL", endpoint.baseUrl(),
                    "OPENAI_MODEL", "llama3.1:70b", "OPENAI_CHEAP_MODEL", "llama3.2:3b");

            Demo.Result result = Demo.run(dir, env, new PrintStream(out, true, StandardCharsets.UTF_8));

            String console = out.toString(StandardCharsets.UTF_8);
            assertThat(console).contains("on " + endpoint.baseUrl() + " (models llama3.1:70b, llama3.2:3b)")
                    .contains("(skipped: a real endpoint cannot be made slow on purpose")
                    .contains("Hash chain: OK");
            assertThat(endpoint.modelsSeen()).isNotEmpty().containsOnly("llama3.1:70b", "llama3.2:3b");
            assertThat(result.ok()).isTrue();
            assertThat(result.shared.spentNanos).as("models without a price are priced, never free")
                    .isPositive().isLessThanOrEqualTo(result.shared.limitNanos);
        }
    }
}

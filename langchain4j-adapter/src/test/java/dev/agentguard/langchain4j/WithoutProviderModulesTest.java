package dev.agentguard.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The adapter loads and works with no provider module and no jtokkit on the class path: the scenario below runs in
 * a class loader built from the test class path minus every langchain4j provider jar and jtokkit's.
 */
class WithoutProviderModulesTest {

    private static final Pattern PROVIDER_JAR = Pattern.compile(
            "(langchain4j-(open-ai|anthropic|google-ai-gemini|bedrock|mistral-ai|ollama)|jtokkit)-[^"
                    + Pattern.quote(File.separator) + "]*\\.jar$");

    @Test
    void guardedModelsToolsAndUsageWorkWithoutAnyProviderModule() throws Exception {
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<URL> urls = new ArrayList<>();
        int removed = 0;
        for (String entry : classPath.split(Pattern.quote(File.pathSeparator))) {
            if (PROVIDER_JAR.matcher(entry).find()) {
                removed++;
            } else if (!entry.isBlank()) {
                urls.add(Path.of(entry).toUri().toURL());
            }
        }
        assertThat(removed).as("provider and jtokkit jars taken off " + classPath).isGreaterThanOrEqualTo(7);

        try (URLClassLoader isolated = new URLClassLoader(urls.toArray(URL[]::new),
                ClassLoader.getPlatformClassLoader())) {
            assertThatThrownBy(() -> Class.forName("dev.langchain4j.model.openai.OpenAiTokenUsage", false, isolated))
                    .isInstanceOf(ClassNotFoundException.class);
            @SuppressWarnings("unchecked")
            Callable<String> scenario = (Callable<String>) Class.forName(IsolatedScenario.class.getName(), true,
                    isolated).getDeclaredConstructor().newInstance();

            // cap: a request without one goes out with the policy's defaultMaxOutputTokens it was reserved for
            assertThat(scenario.call()).isEqualTo("providers=none model=hi cap=1024 downgraded=cheap cost=20000"
                    + " tool=found blocked=true service=done openaiWithoutJtokkit=conservative");
        }
    }
}

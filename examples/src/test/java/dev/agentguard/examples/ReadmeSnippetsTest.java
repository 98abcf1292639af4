package dev.agentguard.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Every Java block of the README is a tagged region of compiled code: {@link ReadmeSnippets} here, or the
 * adapter's {@code ReadmeSnippetsTest} for the LangChain4j section.
 */
class ReadmeSnippetsTest {

    private static final Pattern README_BLOCK = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL);
    private static final Pattern TAGGED = Pattern.compile("// tag::([\\w-]+)\\[]\\n(.*?)\\n\\s*// end::\\1\\[]",
            Pattern.DOTALL);

    @Test
    void everyJavaBlockOfTheReadmeIsCompiledCode() throws IOException {
        Path root = Path.of("").toAbsolutePath().getParent();
        String readme = Files.readString(root.resolve("README.md"));
        // the snippets of the core and policies live here; the LangChain4j ones beside the adapter's own test
        String source = Files.readString(Path.of("src/main/java/dev/agentguard/examples/ReadmeSnippets.java"))
                + Files.readString(root.resolve(
                        "langchain4j-adapter/src/test/java/dev/agentguard/langchain4j/ReadmeSnippetsTest.java"));

        Map<String, String> regions = new LinkedHashMap<>();
        Matcher t = TAGGED.matcher(source);
        while (t.find()) {
            regions.put(t.group(1), dedent(t.group(2)));
        }
        List<String> blocks = new ArrayList<>();
        Matcher b = README_BLOCK.matcher(readme);
        while (b.find()) {
            blocks.add(dedent(b.group(1)));
        }

        assertThat(blocks).as("README java blocks").isNotEmpty();
        for (String block : blocks) {
            assertThat(regions.values()).as("README block not found in ReadmeSnippets.java:\n" + block).contains(block);
        }
        for (Map.Entry<String, String> r : regions.entrySet()) {
            assertThat(blocks).as("region " + r.getKey() + " is not in the README").contains(r.getValue());
        }
    }

    private static String dedent(String text) {
        List<String> lines = text.stripTrailing().lines().collect(Collectors.toList());
        int indent = lines.stream().filter(l -> !l.isBlank()).mapToInt(l -> l.length() - l.stripLeading().length())
                .min().orElse(0);
        return lines.stream().map(l -> l.isBlank() ? "" : l.substring(indent)).collect(Collectors.joining("\n"));
    }
}

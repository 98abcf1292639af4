package dev.agentguard.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentguard.core.GuardConfig;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The presets and the reference load, from the source tree and from the jar's classpath. */
class PresetsTest {

    static List<String> presets() {
        return Policies.PRESETS;
    }

    @ParameterizedTest
    @MethodSource("presets")
    void everyPresetLoadsFromItsFileAndFromTheClasspath(String name) {
        Policy fromFile = Policies.parse(Path.of("presets", name + ".yaml"));
        Policy fromClasspath = Policies.preset(name);

        assertThat(fromFile.name()).isEqualTo(name);
        assertThat(fromClasspath.name()).isEqualTo(name);
        assertThat(fromClasspath.config().toString()).isEqualTo(fromFile.config().toString());
        assertThat(Policies.load(Path.of("presets", name + ".yaml")).config().name()).isEqualTo(name);
    }

    @Test
    void thePresetsDirectoryHoldsExactlyTheListedPresets() throws IOException {
        List<String> files = new ArrayList<>();
        try (var s = Files.list(Path.of("presets"))) {
            s.map(p -> p.getFileName().toString()).filter(f -> f.endsWith(".yaml"))
                    .forEach(f -> files.add(f.substring(0, f.length() - 5)));
        }
        assertThat(files).containsExactlyInAnyOrderElementsOf(Policies.PRESETS);
    }

    @Test
    void presetsCarrySensibleLimits() {
        GuardConfig starter = Policies.preset("starter").config();
        assertThat(starter.budgets()).isNotEmpty();
        assertThat(starter.caps().toolCallsPerTurn()).isPositive();
        assertThat(starter.loops().identicalToolCalls().blockAt()).isPositive();

        GuardConfig strict = Policies.preset("strict-cost").config();
        assertThat(strict.ladder()).hasSizeGreaterThanOrEqualTo(2);
        assertThat(strict.budgets()).allSatisfy(b -> assertThat(b.limit()).isPositive());

        GuardConfig loops = Policies.preset("loop-guard").config();
        assertThat(loops.budgets()).isEmpty();
        assertThat(loops.loops().alternatingToolCalls().blockAt()).isPositive();
    }

    @Test
    void anUnknownPresetIsRefused() {
        assertThatThrownBy(() -> Policies.preset("lenient")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("starter");
    }

    @Test
    void theReferenceLoads() {
        Policy reference = Policies.parse(Path.of("reference.yaml"));
        assertThat(reference.name()).isEqualTo("reference");
        assertThat(reference.config().budgets()).extracting(dev.agentguard.core.Budget::id)
                .containsExactly("session-10m", "tenant-month", "gpt4o-day", "session-steps");
        assertThat(reference.config().budgets().get(0).overrides()).containsOnlyKeys("load-test-*");
        assertThat(reference.config().toolPrices()).containsOnlyKeys("search_web", "scrape_pages");
        assertThat(reference.config().toolMaxUnits()).containsExactly(java.util.Map.entry("scrape_pages", 50L));
        assertThat(reference.audit()).isPresent();
    }

    @Test
    void theReferenceMentionsEveryKey() throws IOException {
        String text = Files.readString(Path.of("reference.yaml"));
        List<String> missing = new ArrayList<>();
        PolicyKeys.SECTIONS.forEach((section, keys) -> {
            for (String key : keys) {
                if (!Pattern.compile("(?<![A-Za-z0-9_])" + Pattern.quote(key) + ":").matcher(text).find()) {
                    missing.add(section + " " + key);
                }
            }
        });
        assertThat(missing).isEmpty();
    }

    @Test
    void theReadmeExampleLoads() throws IOException {
        String readme = Files.readString(Path.of("../README.md"));
        String section = readme.substring(readme.indexOf("## Policies in YAML"));
        String yaml = section.substring(section.indexOf("```yaml\n") + 8, section.indexOf("```\n", 10));

        Policy p = PolicyReader.withEnvironment(Map.of())
                .parse(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), "README.md");

        assertThat(p.name()).isEqualTo("support-bot");
        assertThat(p.config().budgets()).hasSize(2);
        assertThat(p.config().budgets().get(1).limit()).as("the ${...:-50.00} default").isEqualTo(50_000_000_000L);
    }

    @Test
    void theSchemaAndTheReferenceShipInTheJar() throws IOException {
        for (String resource : List.of("agent-guard-policy.schema.json", "reference.yaml")) {
            try (InputStream in = Policies.class.getResourceAsStream(resource)) {
                assertThat(in).as(resource).isNotNull();
                assertThat(in.readAllBytes()).isEqualTo(Files.readAllBytes(Path.of(resource)));
            }
        }
    }
}

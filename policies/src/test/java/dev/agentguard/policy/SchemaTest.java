package dev.agentguard.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The JSON Schema and the binder describe the same keys, and every policy this module ships validates against the
 * schema with a real JSON Schema (draft 2020-12) validator.
 */
class SchemaTest {

    static final Path SCHEMA = Path.of("agent-guard-policy.schema.json");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private static JsonNode schemaNode;
    private static Schema schema;

    @BeforeAll
    static void loadSchema() throws IOException {
        schemaNode = JSON.readTree(SCHEMA.toFile());
        schema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(schemaNode);
    }

    /** Every policy file this module ships or documents. */
    static Stream<Path> shippedPolicies() throws IOException {
        List<Path> files = new ArrayList<>();
        files.add(Path.of("reference.yaml"));
        try (Stream<Path> presets = Files.list(Path.of("presets"))) {
            presets.filter(p -> p.toString().endsWith(".yaml")).sorted().forEach(files::add);
        }
        try (Stream<Path> valid = Files.walk(PolicyBindingTest.VALID)) {
            valid.filter(p -> p.toString().endsWith(".yaml")).sorted().forEach(files::add);
        }
        return files.stream();
    }

    private static List<String> validate(JsonNode instance) {
        return schema.validate(instance).stream().map(Error::toString).collect(Collectors.toList());
    }

    private static JsonNode yaml(String text) {
        try {
            return YAML.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @ParameterizedTest
    @MethodSource("shippedPolicies")
    void everyShippedPolicyValidatesAgainstTheSchema(Path file) throws IOException {
        assertThat(validate(YAML.readTree(file.toFile()))).as(file.toString()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "name: no-version\n",
        "version: 2\n",
        "version: 1\ncaps: {toolCallPerTurn: 3}\n",
        "version: 1\nbudgets: [{id: a, scope: team, window: 10m, limit: {calls: 1}}]\n",
        "version: 1\nbudgets: [{id: a, scope: global, window: ten minutes, limit: {calls: 1}}]\n",
        "version: 1\nbudgets: [{id: a, scope: global, window: 10m, limit: {calls: 1, tokens: 2}}]\n",
        "version: 1\nbudgets: [{id: a, scope: global, window: 10m, limit: {costUsd: 1}, warnAt: [80]}]\n",
        "version: 1\nmode: loud\n",
        "version: 1\nagents: {a: {version: 1}}\n",
    })
    void theSchemaRejectsWhatTheBinderRejects(String policy) {
        assertThat(validate(yaml(policy))).as(policy).isNotEmpty();
    }

    @Test
    void theSchemaAcceptsEnvironmentReferencesWhereNumbersGo() {
        assertThat(validate(yaml("version: 1\ndefaultMaxOutputTokens: ${MAX_OUT:-512}\n"
                + "budgets: [{id: a, scope: global, window: '${WINDOW}', limit: {costUsd: '${USD}'}}]\n"))).isEmpty();
    }

    @Test
    void schemaAndBinderKnowTheSameKeys() {
        Map<String, Set<String>> fromSchema = new TreeMap<>();
        walk(schemaNode, "", fromSchema, 0);
        Map<String, Set<String>> fromBinder = new TreeMap<>();
        PolicyKeys.SECTIONS.forEach((section, keys) -> fromBinder.put(section, new LinkedHashSet<>(keys)));

        assertThat(fromSchema).isEqualTo(fromBinder);
    }

    @Test
    void theSchemaIsItselfAValidDraft202012Schema() {
        Schema meta = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
                .getSchema(com.networknt.schema.SchemaLocation.of(SpecificationVersion.DRAFT_2020_12.getDialectId()));
        assertThat(meta.validate(schemaNode)).isEmpty();
    }

    /** Collects section name to property names, as {@link PolicyKeys} names sections. */
    private static void walk(JsonNode node, String path, Map<String, Set<String>> out, int depth) {
        assertThat(depth).as("schema nesting at " + path).isLessThan(20);
        JsonNode n = resolve(node);
        if (n.has("properties")) {
            Set<String> keys = new LinkedHashSet<>();
            n.get("properties").fieldNames().forEachRemaining(keys::add);
            String section = path.startsWith(PolicyKeys.AGENT + ".") ? path.substring(PolicyKeys.AGENT.length() + 1)
                    : path;
            Set<String> previous = out.putIfAbsent(section, keys);
            assertThat(previous == null ? keys : previous).as("section " + section + " seen twice").isEqualTo(keys);
            for (Map.Entry<String, JsonNode> e : n.get("properties").properties()) {
                walk(e.getValue(), path.isEmpty() ? e.getKey() : path + "." + e.getKey(), out, depth + 1);
            }
        }
        if (n.has("items") && n.get("items").isObject()) {
            walk(n.get("items"), path + "[]", out, depth + 1);
        }
        if (n.has("additionalProperties") && n.get("additionalProperties").isObject()) {
            walk(n.get("additionalProperties"), path + ".*", out, depth + 1);
        }
        for (String combinator : List.of("anyOf", "oneOf", "allOf")) {
            if (n.has(combinator)) {
                n.get(combinator).forEach(alt -> walk(alt, path, out, depth + 1));
            }
        }
    }

    private static JsonNode resolve(JsonNode node) {
        JsonNode n = node;
        while (n.has("$ref")) {
            String ref = n.get("$ref").asText();
            assertThat(ref).startsWith("#/");
            n = schemaNode.at(ref.substring(1));
            assertThat(n.isMissingNode()).as(ref).isFalse();
        }
        return n;
    }
}

package dev.agentguard.core.pricing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** A broken feed fails with a message naming the feed and the JSON path, never a NullPointerException. */
class MalformedFeedTest {

    private static final String P = "{'id': 'p', 'name': 'P', 'api_pattern': 'x', 'models': [";

    private static PriceCatalog genai(String json) {
        return PriceCatalog.fromGenaiPrices(
                new ByteArrayInputStream(json.replace('\'', '"').getBytes(StandardCharsets.UTF_8)), "bad-feed.json");
    }

    private static PriceCatalog liteLlm(String json) {
        return PriceCatalog.fromLiteLlm(
                new ByteArrayInputStream(json.replace('\'', '"').getBytes(StandardCharsets.UTF_8)), "bad-litellm.json");
    }

    static Stream<Arguments> brokenGenaiFeeds() {
        return Stream.of(
                Arguments.of("[{", "$", "not valid JSON at line 1"),
                Arguments.of("", "$", "the document is empty"),
                Arguments.of("[] []", "$", "not valid JSON"),
                Arguments.of("{'id': 'p'}", "$", "expected an array, found {"),
                Arguments.of("[{'id': 'p', 'id': 'q', 'models': []}]", "$", "Duplicate field 'id'"),
                Arguments.of("[{'models': []}]", "$[0].id", "is required"),
                Arguments.of("[{'id': 7, 'models': []}]", "$[0].id", "expected a string, found 7"),
                Arguments.of("[{'id': 'p', 'models': null}]", "$[0].models", "is required"),
                Arguments.of("[{'id': 'p', 'models': {}}]", "$[0].models", "expected an array, found {}"),
                Arguments.of("[{'id': 'p', 'fallback_model_providers': [1], 'models': []}]",
                        "$[0].fallback_model_providers[0]", "expected a string, found 1"),
                Arguments.of("[" + P + "'m']}]", "$[0].models[0]", "expected an object, found \"m\""),
                Arguments.of("[" + P + "{'id': 'm', 'prices': {'input_mtok': 1}}]}]",
                        "$[0].models[0].match", "is required"),
                Arguments.of("[" + P + "{'id': 'm', 'match': {'like': 'm'}, 'prices': {'input_mtok': 1}}]}]",
                        "$[0].models[0].match", "unknown match clause \"like\""),
                Arguments.of("[" + P + "{'id': 'm', 'match': {'equals': 'm', 'contains': 'm'}, 'prices': {}}]}]",
                        "$[0].models[0].match", "expected one of equals"),
                Arguments.of("[" + P + "{'id': 'm', 'match': {'or': [{'equals': 1}]}, 'prices': {}}]}]",
                        "$[0].models[0].match.or[0].equals", "expected a string, found 1"),
                Arguments.of("[" + P + "{'id': 'm', 'match': {'regex': '(unclosed'}, 'prices': {}}]}]",
                        "$[0].models[0].match.regex", "invalid regular expression \"(unclosed\""),
                Arguments.of("[" + P + "{'id': 'm', 'match': {'equals': 'm'}}]}]",
                        "$[0].models[0].prices", "is required"),
                Arguments.of("[" + P + "{'id': 'm', 'match': {'equals': 'm'}, 'prices': {'input_mtok': 'cheap'}}]}]",
                        "$[0].models[0].prices.input_mtok", "found \"cheap\""),
                Arguments.of("[" + P + "{'id': 'm', 'match': {'equals': 'm'}, "
                        + "'prices': {'input_mtok': 1, 'output_mtok': -1}}]}]",
                        "$[0].models[0].prices.output_mtok", "expected a non-negative number, found -1"),
                Arguments.of("[" + P + "{'id': 'm', 'match': {'equals': 'm'}, "
                        + "'prices': {'input_mtok': {'base': 1, 'tiers': [{'price': 2}]}}}]}]",
                        "$[0].models[0].prices.input_mtok.tiers[0].start", "is required"),
                Arguments.of("[" + P + "{'id': 'm', 'match': {'equals': 'm'}, "
                        + "'prices': {'input_mtok': {'base': 1, 'tiers': [{'start': 1.5, 'price': 2}]}}}]}]",
                        "$[0].models[0].prices.input_mtok.tiers[0].start", "expected a whole number >= 0"),
                Arguments.of("[" + P + "{'id': 'm', 'match': {'equals': 'm'}, 'prices': {'input_mtok': {'tiers': []}}}]}]",
                        "$[0].models[0].prices.input_mtok.base", "is required"),
                Arguments.of("[" + P + "{'id': 'm', 'match': {'equals': 'm'}, 'prices': []}]}]",
                        "$[0].models[0].prices", "expected at least one conditional price"),
                Arguments.of("[" + P + "{'id': 'm', 'match': {'equals': 'm'}, 'prices': [{'prices': {'input_mtok': 1}}, "
                        + "{'constraint': {'start_date': '2025-13-45'}, 'prices': {'input_mtok': 2}}]}]}]",
                        "$[0].models[0].prices[1].constraint.start_date", "expected a date such as 2025-06-10"),
                Arguments.of("[" + P + "{'id': 'm', 'match': {'equals': 'm'}, 'prices': [{'prices': {'input_mtok': 1}}, "
                        + "{'constraint': {'weekday': 'monday'}, 'prices': {'input_mtok': 2}}]}]}]",
                        "$[0].models[0].prices[1].constraint", "expected {\"start_date\""),
                Arguments.of("[" + P + "{'id': 'm', 'match': {'equals': 'm'}, 'prices': [{'prices': {'input_mtok': 1}}, "
                        + "{'constraint': {'start_time': 'noon', 'end_time': '13:00:00Z'}, 'prices': {'input_mtok': 2}}]}]}]",
                        "$[0].models[0].prices[1].constraint.start_time", "expected a time such as 00:30:00Z"),
                Arguments.of("[" + P + "{'id': 'm', 'match': {'equals': 'm'}, "
                        + "'prices': {'input_mtok': 1, 'output_reasoning_mtok': 3}}]}]",
                        "$[0].models[0].prices", "modelPrice.reasoning is set but modelPrice.output is not"));
    }

    @ParameterizedTest
    @MethodSource("brokenGenaiFeeds")
    void genaiPricesFeedErrorNamesSourceAndPath(String json, String path, String problem) {
        assertThatThrownBy(() -> genai(json))
                .isInstanceOfSatisfying(PriceFeedException.class, e -> {
                    assertThat(e.source()).isEqualTo("bad-feed.json");
                    assertThat(e.jsonPath()).isEqualTo(path);
                })
                .hasMessageStartingWith("bad-feed.json: " + path + ": ")
                .hasMessageContaining(problem);
    }

    static Stream<Arguments> brokenLiteLlmFiles() {
        return Stream.of(
                Arguments.of("[]", "$", "expected an object, found []"),
                Arguments.of("{'gpt-x': 3}", "$[\"gpt-x\"]", "expected an object, found 3"),
                Arguments.of("{'gpt-x': {'input_cost_per_token': 'free'}}",
                        "$[\"gpt-x\"].input_cost_per_token", "expected a non-negative number, found \"free\""),
                Arguments.of("{'gpt_x': {'input_cost_per_token': 1e-6, 'output_cost_per_token': -1e-6}}",
                        "$.gpt_x.output_cost_per_token", "expected a non-negative number, found -0.000001"),
                Arguments.of("{'gpt-x': {'input_cost_per_token': 1e-6, 'litellm_provider': 5}}",
                        "$[\"gpt-x\"].litellm_provider", "expected a string, found 5"),
                Arguments.of("{'o-x': {'input_cost_per_token': 1e-6, 'output_cost_per_reasoning_token': 1e-6}}",
                        "$[\"o-x\"]", "modelPrice.reasoning is set but modelPrice.output is not"));
    }

    @ParameterizedTest
    @MethodSource("brokenLiteLlmFiles")
    void liteLlmFileErrorNamesSourceAndPath(String json, String path, String problem) {
        assertThatThrownBy(() -> liteLlm(json))
                .isInstanceOfSatisfying(PriceFeedException.class, e -> assertThat(e.jsonPath()).isEqualTo(path))
                .hasMessageStartingWith("bad-litellm.json: " + path + ": ")
                .hasMessageContaining(problem);
    }

    @Test
    void missingFileIsAnIoErrorNamingIt() {
        Path missing = Path.of("no-such-dir", "prices.json");
        assertThatThrownBy(() -> PriceCatalog.fromGenaiPrices(missing))
                .isInstanceOf(UncheckedIOException.class).hasMessageContaining("genai-prices " + missing);
        assertThatThrownBy(() -> PriceCatalog.fromLiteLlm(missing))
                .isInstanceOf(UncheckedIOException.class).hasMessageContaining("litellm " + missing);
    }
}

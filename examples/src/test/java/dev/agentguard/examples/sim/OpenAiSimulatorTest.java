package dev.agentguard.examples.sim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The simulator's usage and latency are what the demo's figures rest on. */
class OpenAiSimulatorTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final OpenAiSimulator sim = startSimulator();
    private final HttpClient http = HttpClient.newHttpClient();

    private static OpenAiSimulator startSimulator() {
        try {
            return OpenAiSimulator.start();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @AfterEach
    void stop() {
        sim.close();
    }

    private JsonNode post(List<String> userMessages) throws Exception {
        ObjectNode body = JSON.createObjectNode().put("model", "gpt-4.1-mini");
        ArrayNode messages = body.putArray("messages");
        messages.addObject().put("role", "system").put("content", "Be brief.");
        for (String m : userMessages) {
            messages.addObject().put("role", "user").put("content", m);
        }
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(sim.baseUrl() + "/chat/completions"))
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return JSON.readTree(r.body()).path("usage");
    }

    @Test
    void promptTokensAreFourCharactersATokenPlusFourPerMessage() throws Exception {
        JsonNode usage = post(List.of("x".repeat(400)));
        // "Be brief." is 9 characters: (409 + 3) / 4 = 103, plus 4 for each of the 2 messages
        assertThat(usage.path("prompt_tokens").asLong()).isEqualTo(111);
        assertThat(usage.path("prompt_tokens_details").path("cached_tokens").asLong()).isZero();
    }

    @Test
    void aRepeatedPrefixOfAtLeast1024TokensIsCachedInStepsOf128AndAChangedOneIsNot() throws Exception {
        String first = "a".repeat(6_000); // about 1,500 tokens
        post(List.of(first));

        JsonNode grown = post(List.of(first, "b".repeat(2_000)));
        // the shared prefix: the system message and the first user message, (9 + 6000 + 3) / 4 + 2 * 4 = 1511
        assertThat(grown.path("prompt_tokens_details").path("cached_tokens").asLong()).isEqualTo(1_408);

        JsonNode other = post(List.of("c".repeat(6_000), "b".repeat(2_000)));
        assertThat(other.path("prompt_tokens_details").path("cached_tokens").asLong())
                .as("only the short system message is shared").isZero();
    }

    @Test
    void eachReplyReportsItsLatencyFromWhenItsRequestArrived() throws Exception {
        AtomicLong clock = new AtomicLong(1_000);
        List<long[]> replies = new ArrayList<>();
        sim.onLatency(new OpenAiSimulator.LatencyListener() {
            @Override
            public long arrived() {
                return clock.get();
            }

            @Override
            public void replied(long arrivedAt, long millis) {
                replies.add(new long[] {arrivedAt, millis});
            }
        });
        sim.behave(r -> OpenAiSimulator.Reply.text("ok", 100).slowerBy(5_000));

        post(List.of("hi"));

        assertThat(replies).hasSize(1);
        assertThat(replies.get(0)).containsExactly(1_000, 250 + 2 * 100 + 5_000);
    }
}

package dev.agentguard.examples.demo;

import dev.agentguard.examples.sim.OpenAiSimulator;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.openai.OpenAiChatModel;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Where the demo's agents send their model calls: the embedded OpenAI-compatible simulator, or, when
 * {@code OPENAI_API_KEY} is set, a real OpenAI-compatible endpoint ({@code OPENAI_BASE_URL}, default OpenAI's;
 * {@code OPENAI_MODEL} and {@code OPENAI_CHEAP_MODEL}, the two rungs of the downgrade ladder). Either way the
 * agents talk to it through the real LangChain4j {@link OpenAiChatModel}, over HTTP.
 */
final class Endpoint implements AutoCloseable {

    static final String PRIMARY = "gpt-4.1";
    static final String CHEAP = "gpt-4.1-mini";

    private final OpenAiSimulator simulator;
    private final String baseUrl;
    private final String apiKey;
    private final String primary;
    private final String cheap;

    private Endpoint(OpenAiSimulator simulator, String baseUrl, String apiKey, String primary, String cheap) {
        this.simulator = simulator;
        this.baseUrl = baseUrl;
        this.apiKey = apiKey;
        this.primary = primary;
        this.cheap = cheap;
    }

    /**
     * @param env the environment (System.getenv() in main)
     * @param time moved by the simulator's latencies
     * @return the real endpoint if {@code OPENAI_API_KEY} is set, else a started simulator
     */
    static Endpoint from(Map<String, String> env, SimulatedTime time) throws IOException {
        String key = env.get("OPENAI_API_KEY");
        if (key == null || key.isBlank()) {
            Endpoint endpoint = simulated();
            endpoint.simulator.onLatency(new OpenAiSimulator.LatencyListener() {
                @Override
                public long arrived() {
                    return time.read();
                }

                @Override
                public void replied(long arrivedAt, long millis) {
                    time.advanceTo(arrivedAt + Duration.ofMillis(millis).toNanos());
                }
            });
            return endpoint;
        }
        return new Endpoint(null, nonBlank(env.get("OPENAI_BASE_URL")).orElse("https://api.openai.com/v1"), key,
                nonBlank(env.get("OPENAI_MODEL")).orElse(PRIMARY), nonBlank(env.get("OPENAI_CHEAP_MODEL")).orElse(CHEAP));
    }

    /**
     * @return a started simulator on real time: its replies' simulated latencies move no clock (the fleet mode,
     *     whose guards run on the system clocks)
     * @throws IOException if no port can be bound
     */
    static Endpoint simulated() throws IOException {
        OpenAiSimulator simulator = OpenAiSimulator.start();
        return new Endpoint(simulator, simulator.baseUrl(), "demo", PRIMARY, CHEAP);
    }

    private static Optional<String> nonBlank(String s) {
        return Optional.ofNullable(s).filter(v -> !v.isBlank());
    }

    /** @return the simulator, if the demo runs on it */
    Optional<OpenAiSimulator> simulator() {
        return Optional.ofNullable(simulator);
    }

    /** @return the most capable model of the ladder */
    String primary() {
        return primary;
    }

    /** @return the cheaper model of the ladder */
    String cheap() {
        return cheap;
    }

    /** @return "the simulator at ..." or "https://... (model)" */
    String describe() {
        return simulator != null ? "the embedded OpenAI-compatible simulator at " + baseUrl
                : baseUrl + " (models " + primary + ", " + cheap + ")";
    }

    /**
     * @param model the model to ask for
     * @return a plain LangChain4j OpenAI model on this endpoint; the guard wraps it
     */
    ChatModel model(String model) {
        return OpenAiChatModel.builder().baseUrl(baseUrl).apiKey(apiKey).modelName(model)
                .maxRetries(0) // a retry is a new call: the guard should see, and count, each one
                .timeout(Duration.ofSeconds(60)).build();
    }

    @Override
    public void close() {
        if (simulator != null) {
            simulator.close();
        }
    }
}

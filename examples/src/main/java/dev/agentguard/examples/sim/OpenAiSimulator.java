package dev.agentguard.examples.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An OpenAI-compatible chat-completions endpoint on 127.0.0.1, with scripted behaviour, so that the demo drives
 * the real LangChain4j {@code OpenAiChatModel} over real HTTP without an API key.
 *
 * <p>Usage is realistic: prompt tokens are counted from the messages (four characters a token), and, as OpenAI
 * does, the longest run of leading messages that an earlier request already sent is reported as cached
 * ({@code prompt_tokens_details.cached_tokens}) when it is 1,024 tokens or more, in steps of 128: a growing
 * conversation is mostly cached, a truncated one is not. Each reply takes a simulated 250 ms plus 2 ms per output
 * token (plus {@link Reply#slowerBy}), reported to the {@link LatencyListener}; nothing really waits. What the
 * model answers is up to the current {@link Behaviour}, which the demo switches between scenarios.
 */
public final class OpenAiSimulator implements AutoCloseable {

    /** What the simulated model does with one request. */
    @FunctionalInterface
    public interface Behaviour {
        /**
         * @param request the request as received
         * @return the reply
         */
        Reply reply(Request request);
    }

    /** A received request: the model asked for and the messages. */
    public static final class Request {
        private final String model;
        private final JsonNode messages;
        private final JsonNode body;

        Request(JsonNode body) {
            this.body = body;
            this.model = body.path("model").asText();
            this.messages = body.path("messages");
        }

        /** @return the requested model name, as on the wire */
        public String model() {
            return model;
        }

        /** @return how many messages the request carries */
        public int messageCount() {
            return messages.size();
        }

        /** @return the text of the last user message, or "" */
        public String lastUserText() {
            for (int i = messages.size() - 1; i >= 0; i--) {
                if ("user".equals(messages.get(i).path("role").asText())) {
                    return messages.get(i).path("content").asText("");
                }
            }
            return "";
        }

        /** @return true if the last message is a tool result */
        public boolean lastIsToolResult() {
            return messages.size() > 0 && "tool".equals(messages.get(messages.size() - 1).path("role").asText());
        }

        /** @return the text of the last tool result, or "" */
        public String lastToolResult() {
            return lastIsToolResult() ? messages.get(messages.size() - 1).path("content").asText("") : "";
        }

        JsonNode body() {
            return body;
        }
    }

    /** What the simulated model answers. */
    public static final class Reply {
        final int status;
        final String text;
        final String toolName;
        final String toolArguments;
        final int completionTokens;
        final long addLatencyMillis;

        private Reply(int status, String text, String toolName, String toolArguments, int completionTokens,
                long addLatencyMillis) {
            this.status = status;
            this.text = text;
            this.toolName = toolName;
            this.toolArguments = toolArguments;
            this.completionTokens = completionTokens;
            this.addLatencyMillis = addLatencyMillis;
        }

        /**
         * @param text the assistant's answer
         * @param completionTokens output tokens to report
         * @return a text reply
         */
        public static Reply text(String text, int completionTokens) {
            return new Reply(200, text, null, null, completionTokens, 0);
        }

        /**
         * @param tool the tool to call
         * @param arguments its JSON arguments
         * @return a reply that asks for a tool call
         */
        public static Reply toolCall(String tool, String arguments) {
            return new Reply(200, null, tool, arguments, 20, 0);
        }

        /**
         * @param status an HTTP error status such as 500 or 429
         * @return an error reply
         */
        public static Reply error(int status) {
            return new Reply(status, null, null, null, 0, 0);
        }

        /**
         * @param millis simulated extra latency, added to the usual, reported to the {@link LatencyListener}
         *     (nothing really waits)
         * @return this reply, slower
         */
        public Reply slowerBy(long millis) {
            return new Reply(status, text, toolName, toolArguments, completionTokens, millis);
        }
    }

    /** Moves a demo's fake time by each reply's simulated latency, from when its request arrived. */
    public interface LatencyListener {
        /** @return the fake time, in nanoseconds, at which a request arrives */
        long arrived();

        /**
         * @param arrivedAt what {@link #arrived()} returned for this request
         * @param millis the simulated latency of the reply about to be sent
         */
        void replied(long arrivedAt, long millis);
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int RECENT_PROMPTS = 64;
    private static final long BASE_LATENCY_MILLIS = 250;
    private static final long MILLIS_PER_OUTPUT_TOKEN = 2;

    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(8, r -> {
        Thread t = new Thread(r, "openai-simulator");
        t.setDaemon(true);
        return t;
    });
    private final AtomicLong ids = new AtomicLong();
    /** The message lists of recent requests, most recent first: the prompt cache. */
    private final Deque<List<String>> recentPrompts = new ArrayDeque<>();
    private final List<String> modelsSeen = new CopyOnWriteArrayList<>();
    private volatile Behaviour behaviour = r -> Reply.text("Hello!", 5);
    private volatile LatencyListener latencyListener = new LatencyListener() {
        @Override
        public long arrived() {
            return 0;
        }

        @Override
        public void replied(long arrivedAt, long millis) {
        }
    };

    private OpenAiSimulator(HttpServer server) {
        this.server = server;
        server.createContext("/v1/chat/completions", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    /**
     * Starts a simulator on a free port of 127.0.0.1.
     *
     * @return the running simulator
     * @throws IOException if no port can be bound
     */
    public static OpenAiSimulator start() throws IOException {
        return new OpenAiSimulator(HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0));
    }

    /** @return the base URL to give {@code OpenAiChatModel.builder().baseUrl(...)} */
    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    /** @param behaviour what the model does from now on */
    public void behave(Behaviour behaviour) {
        this.behaviour = behaviour;
    }

    /** @param listener told of each reply's simulated latency */
    public void onLatency(LatencyListener listener) {
        this.latencyListener = listener;
    }

    /** @return every model name received, in order */
    public List<String> modelsSeen() {
        return modelsSeen;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            JsonNode body;
            try (InputStream in = exchange.getRequestBody()) {
                body = JSON.readTree(in);
            }
            long arrivedAt = latencyListener.arrived();
            Request request = new Request(body);
            modelsSeen.add(request.model());
            Reply reply = behaviour.reply(request);
            latencyListener.replied(arrivedAt, BASE_LATENCY_MILLIS + MILLIS_PER_OUTPUT_TOKEN * reply.completionTokens
                    + reply.addLatencyMillis);
            if (reply.status != 200) {
                send(exchange, reply.status, "{\"error\":{\"message\":\"simulated " + reply.status
                        + "\",\"type\":\"server_error\"}}");
                return;
            }
            send(exchange, 200, JSON.writeValueAsString(completion(request, reply)));
        } catch (RuntimeException e) {
            send(exchange, 500, "{\"error\":{\"message\":\"simulator: " + e.getClass().getSimpleName() + "\"}}");
        }
    }

    private ObjectNode completion(Request request, Reply reply) {
        long prompt = promptTokens(request.body());
        long cached = cachedTokens(request.body());

        ObjectNode root = JSON.createObjectNode();
        root.put("id", "chatcmpl-sim-" + ids.incrementAndGet());
        root.put("object", "chat.completion");
        root.put("created", 1_760_000_000L);
        root.put("model", request.model());
        ArrayNode choices = root.putArray("choices");
        ObjectNode choice = choices.addObject();
        choice.put("index", 0);
        ObjectNode message = choice.putObject("message");
        message.put("role", "assistant");
        if (reply.toolName != null) {
            message.putNull("content");
            ObjectNode call = message.putArray("tool_calls").addObject();
            call.put("id", "call_" + ids.get());
            call.put("type", "function");
            call.putObject("function").put("name", reply.toolName).put("arguments", reply.toolArguments);
            choice.put("finish_reason", "tool_calls");
        } else {
            message.put("content", reply.text);
            choice.put("finish_reason", "stop");
        }
        ObjectNode usage = root.putObject("usage");
        usage.put("prompt_tokens", prompt);
        usage.put("completion_tokens", reply.completionTokens);
        usage.put("total_tokens", prompt + reply.completionTokens);
        usage.putObject("prompt_tokens_details").put("cached_tokens", cached);
        usage.putObject("completion_tokens_details").put("reasoning_tokens", 0);
        return root;
    }

    /** Tokens of the longest message prefix shared with a recent request, if at least 1,024, in steps of 128. */
    private long cachedTokens(JsonNode body) {
        List<String> messages = new ArrayList<>();
        body.path("messages").forEach(m -> messages.add(m.toString()));
        int shared = 0;
        synchronized (recentPrompts) {
            for (List<String> earlier : recentPrompts) {
                int n = 0;
                while (n < earlier.size() && n < messages.size() && earlier.get(n).equals(messages.get(n))) {
                    n++;
                }
                shared = Math.max(shared, n);
            }
            recentPrompts.addFirst(messages);
            if (recentPrompts.size() > RECENT_PROMPTS) {
                recentPrompts.removeLast();
            }
        }
        long chars = 0;
        for (int i = 0; i < shared; i++) {
            chars += messageChars(body.path("messages").get(i));
        }
        long tokens = (chars + 3) / 4 + 4L * shared;
        return tokens < 1_024 ? 0 : tokens / 128 * 128;
    }

    /** Four characters a token over every message's content and tool calls, plus a few tokens per message. */
    static long promptTokens(JsonNode body) {
        long chars = 0;
        int messages = 0;
        for (JsonNode m : body.path("messages")) {
            messages++;
            chars += messageChars(m);
        }
        chars += body.path("tools").toString().length();
        return (chars + 3) / 4 + 4L * messages;
    }

    private static long messageChars(JsonNode message) {
        return message.path("content").asText("").length() + message.path("tool_calls").toString().length();
    }

    private static void send(HttpExchange exchange, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** Stops the server. */
    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}

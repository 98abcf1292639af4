package dev.agentguard.langchain4j.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A provider stand-in on 127.0.0.1: records every request and answers with scripted replies (JSON, server-sent
 * events, an HTTP error, a malformed body, or no answer until the test ends, for timeouts).
 */
final class StubServer implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A request as it reached the stub. */
    static final class Recorded {
        final String method;
        final String path;
        final String body;
        final String thread;

        Recorded(String method, String path, String body) {
            this.method = method;
            this.path = path;
            this.body = body;
            this.thread = Thread.currentThread().getName();
        }

        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** What the stub sends back. */
    static final class Reply {
        final int status;
        final String contentType;
        final List<String> chunks;
        final boolean hang;

        private Reply(int status, String contentType, List<String> chunks, boolean hang) {
            this.status = status;
            this.contentType = contentType;
            this.chunks = chunks;
            this.hang = hang;
        }

        static Reply json(String body) {
            return status(200, body);
        }

        static Reply status(int status, String body) {
            return new Reply(status, "application/json", List.of(body), false);
        }

        /** Server-sent events, one {@code data:} line per event, flushed one by one. */
        static Reply sse(List<String> events) {
            List<String> chunks = new ArrayList<>();
            for (String e : events) {
                chunks.add("data: " + e + "\n\n");
            }
            return new Reply(200, "text/event-stream", chunks, false);
        }

        /** Named server-sent events ({@code event:} and {@code data:}), as Anthropic streams them. */
        static Reply namedSse(List<String[]> events) {
            List<String> chunks = new ArrayList<>();
            for (String[] e : events) {
                chunks.add("event: " + e[0] + "\ndata: " + e[1] + "\n\n");
            }
            return new Reply(200, "text/event-stream", chunks, false);
        }

        /** Holds the connection without answering until the stub closes: the client's timeout fires first. */
        static Reply hang() {
            return new Reply(200, "application/json", List.of("{}"), true);
        }
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(4, r -> {
        Thread t = new Thread(r, "stub-http");
        t.setDaemon(true);
        return t;
    });
    private final CountDownLatch closing = new CountDownLatch(1);
    private final Queue<Reply> script = new ConcurrentLinkedQueue<>();
    private volatile Function<Recorded, Reply> fallback = r -> Reply.status(500, "{\"error\":\"no reply scripted\"}");
    final List<Recorded> requests = new CopyOnWriteArrayList<>();

    StubServer() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    /** @return {@code http://127.0.0.1:<port>} */
    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Queues replies, used in order, one per request. */
    StubServer reply(Reply... replies) {
        script.addAll(List.of(replies));
        return this;
    }

    /** Answers requests once the queue is empty. */
    StubServer otherwise(Function<Recorded, Reply> replies) {
        this.fallback = replies;
        return this;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            Recorded r = new Recorded(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
                    new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            requests.add(r);
            Reply reply = script.poll();
            if (reply == null) {
                reply = fallback.apply(r);
            }
            if (reply.hang) {
                try {
                    closing.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return;
            }
            exchange.getResponseHeaders().add("Content-Type", reply.contentType);
            boolean streamed = reply.chunks.size() > 1 || reply.contentType.startsWith("text/event-stream");
            byte[] whole = String.join("", reply.chunks).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(reply.status, streamed ? 0 : whole.length);
            OutputStream out = exchange.getResponseBody();
            for (String chunk : reply.chunks) {
                out.write(chunk.getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        }
    }

    @Override
    public void close() {
        closing.countDown();
        server.stop(0);
        executor.shutdownNow();
    }
}

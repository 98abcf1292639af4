package dev.agentguard.examples.demo;

import java.io.File;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Optional;
import redis.embedded.RedisServer;
import redis.embedded.core.ExecutableProvider;

/**
 * A {@code redis-server} for the fleet mode when {@code REDIS_URL} is not set: a child process on a free loopback
 * port, without persistence, stopped by {@link #close()} (or when this JVM exits). The binary is
 * {@code redis-server} on the PATH (Debian's package {@code redis-server}), else the one shipped in the
 * embedded-redis jar; the embedded-redis library starts either and waits until it accepts connections.
 */
final class LocalRedis implements AutoCloseable {

    /** What to install when no binary runs here. */
    static final String MISSING = "no redis-server could be started: install it (Debian package: redis-server;"
            + " apt-get install -y redis-server), or set REDIS_URL to a Redis of yours";

    private final RedisServer server;
    private final int port;
    private final String binary;

    private LocalRedis(RedisServer server, int port, String binary) {
        this.server = server;
        this.port = port;
        this.binary = binary;
    }

    /**
     * @return {@code redis-server} on the PATH, if there is one
     */
    static Optional<ExecutableProvider> onPath() {
        try {
            return Optional.of(ExecutableProvider.newExecutableInPath("redis-server"));
        } catch (FileNotFoundException e) {
            return Optional.empty();
        }
    }

    /**
     * Starts {@code redis-server} from the PATH, else the embedded-redis jar's.
     *
     * @return a running server
     * @throws IllegalStateException with {@link #MISSING} if neither starts
     */
    static LocalRedis start() {
        Optional<ExecutableProvider> path = onPath();
        if (path.isPresent()) {
            return start(path.get());
        }
        try {
            return start(ExecutableProvider.newJarResourceProvider());
        } catch (IllegalStateException e) {
            throw new IllegalStateException(MISSING + " (the embedded-redis jar's binary: " + e.getMessage() + ")",
                    e);
        }
    }

    /**
     * @param binary where the binary comes from
     * @return a running server
     * @throws IllegalStateException if it does not start
     */
    static LocalRedis start(ExecutableProvider binary) {
        try {
            File executable = binary.get();
            int port = freePort();
            RedisServer server = RedisServer.newRedisServer().executableProvider(() -> executable)
                    .bind("127.0.0.1").port(port)
                    .setting("save \"\"").setting("appendonly no")
                    .onShutdownForceStop(true) // a demo stopped with Ctrl-C leaves no server behind
                    .build();
            server.start();
            return new LocalRedis(server, port, executable.getPath());
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("redis-server did not start: " + e.getMessage(), e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** @return the redis:// URI of the server */
    String uri() {
        return "redis://127.0.0.1:" + port;
    }

    /** @return which binary runs, for the console */
    String binary() {
        return binary;
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

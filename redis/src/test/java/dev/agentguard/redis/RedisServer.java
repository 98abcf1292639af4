package dev.agentguard.redis;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A real {@code redis-server} as a child process of the test, on a free loopback port, persistence off (or AOF for
 * restart tests). The binary: {@code redis-server} on the PATH (Debian's package, which CI installs); else, unless
 * {@code -Dagentguard.servers=required}, the one shipped in the embedded-redis jar; else the test is skipped with a
 * message naming the package.
 */
public final class RedisServer implements AutoCloseable {

    private static final String REQUIRED = "agentguard.servers";
    private static Path binary;

    private final Path dir;
    private final boolean aof;
    private final int port;
    private Process process;

    private RedisServer(Path dir, boolean aof, int port) {
        this.dir = dir;
        this.aof = aof;
        this.port = port;
    }

    /** @return a started server without persistence */
    public static RedisServer start() {
        return start(false);
    }

    /**
     * @param aof true to persist to an append-only file (fsync always), so that a restart keeps the data
     * @return a started server
     */
    public static RedisServer start(boolean aof) {
        try {
            RedisServer server = new RedisServer(Files.createTempDirectory("agentguard-redis"), aof, freePort());
            server.launch();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return the redis:// URI of the server */
    public String uri() {
        return "redis://127.0.0.1:" + port;
    }

    /** @return the server's process id */
    public long pid() {
        return process.pid();
    }

    /** Stops the server hard (SIGKILL), as a crash would. */
    public void kill() {
        process.destroyForcibly();
        waitForExit();
    }

    /** Starts the server again on the same port and directory (with AOF: the same data). */
    public void restart() {
        if (process.isAlive()) {
            kill();
        }
        launch();
    }

    /** Freezes the server (SIGSTOP): connections stay open, nothing answers. */
    public void pause() {
        signal("STOP");
    }

    /** Lets a frozen server go on (SIGCONT). */
    public void resume() {
        signal("CONT");
    }

    private void signal(String name) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void launch() {
        List<String> command = new ArrayList<>(List.of(binary().toString(), "--port", Integer.toString(port),
                "--bind", "127.0.0.1", "--dir", dir.toString(), "--save", "", "--protected-mode", "no"));
        if (aof) {
            command.addAll(List.of("--appendonly", "yes", "--appendfsync", "always"));
        } else {
            command.addAll(List.of("--appendonly", "no"));
        }
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        CountDownLatch ready = new CountDownLatch(1);
        StringBuilder log = new StringBuilder();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    synchronized (log) {
                        if (log.length() < 20_000) {
                            log.append(line).append('\n');
                        }
                    }
                    if (line.contains("Ready to accept connections")) {
                        ready.countDown();
                    }
                }
            } catch (IOException ignored) {
                // the process ended
            }
        }, "redis-server-" + port);
        reader.setDaemon(true);
        reader.start();
        try {
            if (!ready.await(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                synchronized (log) {
                    throw new IllegalStateException("redis-server did not start on port " + port + ":\n" + log);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void waitForExit() {
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        if (process != null && process.isAlive()) {
            resume(); // a paused server ignores SIGTERM until it runs again
            process.destroy();
            waitForExit();
            if (process.isAlive()) {
                kill();
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** @return the redis-server to run; skips the test (or fails it when servers are required) if there is none */
    static synchronized Path binary() {
        if (binary != null) {
            return binary;
        }
        Path onPath = onPath();
        if (onPath != null) {
            return binary = onPath;
        }
        String missing = "redis-server is not installed (Debian package: redis-server; apt-get install -y"
                + " redis-server)";
        if ("required".equals(System.getProperty(REQUIRED))) {
            throw new IllegalStateException(missing + " and -D" + REQUIRED + "=required");
        }
        Path embedded = embedded();
        Assumptions.assumeTrue(embedded != null, missing + ", and the embedded-redis binary cannot run here: skipped");
        return binary = embedded;
    }

    private static Path onPath() {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String dir : path.split(java.io.File.pathSeparator)) {
            Path p = Path.of(dir, "redis-server");
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    private static Path embedded() {
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
        String name;
        if (os.contains("linux") && (arch.equals("amd64") || arch.equals("x86_64"))) {
            name = "/redis-server-6.2.6-v5-linux-amd64";
        } else if (os.contains("linux") && arch.equals("aarch64")) {
            name = "/redis-server-6.2.7-linux-arm64";
        } else if (os.contains("mac") && arch.equals("aarch64")) {
            name = "/redis-server-6.2.6-v5-darwin-arm64";
        } else if (os.contains("mac")) {
            name = "/redis-server-6.2.6-v5-darwin-amd64";
        } else {
            return null;
        }
        try (InputStream in = RedisServer.class.getResourceAsStream(name)) {
            if (in == null) {
                return null;
            }
            Path file = Files.createTempFile("redis-server", "");
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            file.toFile().setExecutable(true);
            file.toFile().deleteOnExit();
            Process probe = new ProcessBuilder(file.toString(), "--version").redirectErrorStream(true).start();
            probe.getInputStream().readAllBytes();
            return probe.waitFor(10, TimeUnit.SECONDS) && probe.exitValue() == 0 ? file : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}

package dev.agentguard.micrometer;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Finds the real {@code prometheus} and {@code promtool} binaries (Debian package {@code prometheus}) for the tests
 * that need them. Missing, a test is skipped with a message naming the package, unless the build runs with
 * {@code -Dagentguard.servers=required} (as CI does), where a missing binary fails the test.
 */
final class ExternalTools {

    static final String PACKAGE_HINT = "Debian package 'prometheus' (apt-get install -y prometheus), which ships"
            + " prometheus and promtool";

    private ExternalTools() {
    }

    static boolean required() {
        return "required".equals(System.getProperty("agentguard.servers"));
    }

    /** @return the binary on the PATH; skips or fails the test when it is missing */
    static Path find(String name) {
        String path = System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
        for (String dir : path.split(File.pathSeparator)) {
            Path p = Path.of(dir, name);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return p;
            }
        }
        String message = name + " is not installed: " + PACKAGE_HINT;
        if (required()) {
            fail(message + "; -Dagentguard.servers=required makes this a failure");
        }
        Assumptions.abort("skipped, " + message);
        return null; // not reached
    }

    /** @return the observability/ folder of the repository */
    static Path observability() {
        String dir = System.getProperty("observability.dir");
        Path p = dir != null ? Path.of(dir) : Path.of("..", "observability");
        if (!Files.isDirectory(p)) {
            fail("no observability folder at " + p.toAbsolutePath());
        }
        return p.normalize();
    }

    /** The exit code and the output (stdout and stderr together) of a finished command. */
    record Result(int exitCode, String output) {
    }

    /** Runs a command to its end (at most a minute) with its working directory, stdin closed. */
    static Result run(Path workDir, List<String> command, String stdin) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(command);
        Process p = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectErrorStream(true).start();
        try (var in = p.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        }
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail(String.join(" ", cmd) + " did not end within a minute");
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }
}

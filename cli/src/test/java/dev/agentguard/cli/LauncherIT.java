package dev.agentguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The launcher script {@code cli/agent-guard} runs the shaded jar in a process of its own, exit status and all. */
class LauncherIT {

    @TempDir
    Path dir;

    private record Run(int status, String out, String err) {
    }

    private Run launch(Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(System.getProperty("agentguard.cli.launcher"));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().put("AGENT_GUARD_JAR", System.getProperty("agentguard.cli.jar"));
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().putAll(env);
        Path out = dir.resolve("out.txt");
        Path err = dir.resolve("err.txt");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try {
            assertThat(p.waitFor(2, TimeUnit.MINUTES)).as("the launcher finished").isTrue();
        } finally {
            p.destroyForcibly();
        }
        return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    @Test
    void runsTheJarWithTheCommandsExitStatus() throws Exception {
        RecordedRun run = RecordedRun.demo(dir.resolve("logs/agent-guard-audit.jsonl"));

        Run version = launch(Map.of(), "--version");
        assertThat(version.status()).isZero();
        assertThat(version.out()).startsWith("agent-guard 0.1.0-SNAPSHOT");

        Run ok = launch(Map.of(), "verify", run.auditFile.toString());
        assertThat(ok.status()).as(ok.toString()).isZero();
        assertThat(ok.out()).startsWith("OK " + run.events.size() + " records");

        Path policy = dir.resolve("policy.yaml");
        Files.writeString(policy, RecordedRun.POLICY);
        Run replay = launch(Map.of(), "replay", "--policy", policy.toString(), run.auditFile.toString());
        assertThat(replay.status()).as(replay.toString()).isZero();
        assertThat(replay.err()).as("nothing from SLF4J or anything else on standard error").isEmpty();

        Run missing = launch(Map.of(), "report", dir.resolve("nothing.jsonl").toString());
        assertThat(missing.status()).isEqualTo(2);
        assertThat(missing.err()).contains("no such file");
    }

    @Test
    void aMissingJarIsBadUsageWithHowToBuildIt() throws Exception {
        Run r = launch(Map.of("AGENT_GUARD_JAR", dir.resolve("none.jar").toString()), "--help");

        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).contains("./mvnw -B -pl cli -am package");
    }
}

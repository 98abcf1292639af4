package dev.agentguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentguard.core.common.Money;
import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code report} streams: a generated audit file of 1 GiB is reported by the shaded jar, run through the launcher
 * script in its own JVM with {@code -Xmx256m}. The file repeats the records of real guarded calls with new sequence
 * numbers, times and sessions (over 300,000 sessions, more than the report keeps, plus a few costly ones that run through
 * the whole file); the test checks the totals against what it wrote and prints the largest heap left after a
 * garbage collection, read from the JVM's GC log.
 *
 * <p>It runs in every build: generating and reading the file takes well under a minute on two cores. Set
 * {@code -Dagentguard.heap.bytes=N} to try another size.
 */
class ReportHeapIT {

    private static final long TARGET = Long.getLong("agentguard.heap.bytes", 1L << 30);
    private static final Pattern HEAP_AFTER_GC = Pattern.compile("->(\\d+)M\\(");

    @TempDir
    Path dir;

    @Test
    void aGigabyteOfAuditIsReportedWithin256MegabytesOfHeap() throws Exception {
        RecordedRun run = RecordedRun.demo(dir.resolve("template/audit.jsonl"));
        ObjectMapper json = new ObjectMapper();
        List<ObjectNode> templates = new ArrayList<>();
        for (String line : Files.readAllLines(run.auditFile)) {
            templates.add((ObjectNode) json.readTree(line));
        }
        Path big = dir.resolve("big/agent-guard-audit.jsonl");
        Files.createDirectories(big.getParent());
        long records = 0;
        long spend = 0;
        long bytes = 0;
        long whaleSpend = 0;
        Instant start = Instant.parse("2026-03-02T00:00:00Z");
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(big), 1 << 20)) {
            for (int copy = 0; bytes < TARGET; copy++) {
                boolean whale = copy % 10 == 0;
                for (int i = 0; i < templates.size(); i++) {
                    ObjectNode t = templates.get(i);
                    String session = whale ? "whale-" + copy % 3 : "s-" + copy + "-" + i / 4;
                    ObjectNode r = t.deepCopy();
                    records++;
                    r.put("seq", records);
                    r.put("ts", start.plusMillis(records * 50).toString());
                    if (r.hasNonNull("session")) {
                        r.put("session", session);
                    }
                    JsonNode cost = r.get("costUsd");
                    if (cost != null && !cost.isNull() && "model_call".equals(r.path("kind").asText())) {
                        long c = Money.usd(cost.asText()).nanos();
                        spend += c;
                        if (whale) {
                            whaleSpend += c;
                        }
                    }
                    byte[] line = json.writeValueAsBytes(r);
                    out.write(line);
                    out.write('\n');
                    bytes += line.length + 1;
                }
            }
        }
        assertThat(Files.size(big)).isGreaterThanOrEqualTo(TARGET);

        String launcher = System.getProperty("agentguard.cli.launcher");
        String jar = System.getProperty("agentguard.cli.jar");
        assertThat(launcher).as("agentguard.cli.launcher, set by failsafe (run as an *IT, after package)").isNotNull();
        assertThat(Path.of(jar)).as("the shaded jar, built at package").isRegularFile();
        Path gcLog = dir.resolve("gc.log");
        Path report = dir.resolve("report.json");
        ProcessBuilder pb = new ProcessBuilder(launcher, "report", "--out",
                report.toString(), big.toString());
        pb.environment().put("AGENT_GUARD_JAR", jar);
        pb.environment().put("AGENT_GUARD_OPTS", "-Xmx256m -Xlog:gc:file=" + gcLog);
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.redirectErrorStream(true).redirectOutput(dir.resolve("cli.out").toFile());
        long t0 = System.nanoTime(); // the test's own stopwatch, not the code under test's time
        Process p = pb.start();
        boolean done = p.waitFor(10, TimeUnit.MINUTES);
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0);
        if (!done) {
            p.destroyForcibly();
        }
        String output = Files.readString(dir.resolve("cli.out"));
        assertThat(done).as("report finished within 10 minutes").isTrue();
        assertThat(p.exitValue()).as(output).isZero();

        JsonNode r = json.readTree(report.toFile());
        assertThat(r.get("records").asLong()).isEqualTo(records);
        assertThat(r.get("bytes").asLong()).isEqualTo(bytes);
        assertThat(Money.usd(r.get("spendUsd").asText()).nanos()).isEqualTo(spend);
        assertThat(r.get("sessions").get("dropped").asLong()).as("more sessions than the report keeps").isPositive();
        long whales = 0;
        for (JsonNode s : r.get("sessions").get("costliest")) {
            if (s.get("session").asText().startsWith("whale-")) {
                whales += Money.usd(s.get("spendUsd").asText()).nanos();
            }
        }
        assertThat(whales).as("the costly sessions survive pruning with their exact spend").isEqualTo(whaleSpend);

        long maxAfterGc = 0;
        Matcher m = HEAP_AFTER_GC.matcher(Files.readString(gcLog));
        while (m.find()) {
            maxAfterGc = Math.max(maxAfterGc, Long.parseLong(m.group(1)));
        }
        System.out.printf("report of %,d bytes (%,d records) with -Xmx256m: %d s, largest heap after GC %d MB%n",
                bytes, records, seconds, maxAfterGc);
        assertThat(maxAfterGc).isLessThan(256);
    }
}

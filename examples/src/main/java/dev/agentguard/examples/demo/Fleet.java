package dev.agentguard.examples.demo;

import dev.agentguard.policy.Policy;
import dev.agentguard.policy.PolicyReader;
import dev.agentguard.redis.RedisBudgetLedger;
import dev.agentguard.redis.RedisUris;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The demo's fleet mode ({@code -Ddemo.fleet=N}): N JVMs share one agent budget through Redis. It uses the Redis at
 * {@code REDIS_URL}, or starts a local {@code redis-server} ({@link LocalRedis}); starts N {@link FleetMember}
 * JVMs on its own class path, each with its own simulator, sessions and audit file; lets them all start spending
 * at once; waits for them; then prints a summary read back from their audit files and from Redis
 * ({@link FleetSummary}).
 */
final class Fleet {

    /** The system property that turns the fleet mode on, with the number of JVMs. */
    static final String PROPERTY = "demo.fleet";
    /** The fleet's policy, on the classpath (examples/src/main/resources). */
    static final String POLICY = "policies/fleet.yaml";
    /** The agent whose budget the JVMs share. */
    static final String AGENT = "research-crew";
    /** Research sessions per JVM, each on its own thread. */
    static final int SESSIONS = 4;
    static final int MAX_JVMS = 16;

    private static final long READY_SECONDS = 180;
    private static final long RUN_SECONDS = 180;

    private Fleet() {
    }

    /**
     * @param reader the environment to read {@code ${REDIS_URL}} and {@code ${FLEET_RUN}} from
     * @return the fleet's policy
     */
    static Policy policy(PolicyReader reader) {
        try (InputStream in = Fleet.class.getClassLoader().getResourceAsStream(POLICY)) {
            return reader.parse(in, POLICY);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * @param value the property's value
     * @return the number of JVMs it asks for
     * @throws IllegalArgumentException unless it is a number from 2 to {@link #MAX_JVMS}
     */
    static int jvms(String value) {
        try {
            int n = Integer.parseInt(value.strip());
            if (n >= 2 && n <= MAX_JVMS) {
                return n;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new IllegalArgumentException("-D" + PROPERTY + " is the number of JVMs of the fleet, 2 to " + MAX_JVMS
                + "; got \"" + value + "\"");
    }

    /**
     * @param jvms how many JVMs
     * @param outDir where each JVM's audit file goes (a directory per JVM)
     * @param env the environment: {@code REDIS_URL} if set, else a local redis-server is started
     * @param out the console
     * @return what the fleet did, read back
     * @throws Exception if the fleet cannot run
     */
    static FleetSummary run(int jvms, Path outDir, Map<String, String> env, PrintStream out) throws Exception {
        String url = env.get("REDIS_URL");
        if (url != null && !url.isBlank()) {
            out.println("Redis: " + RedisUris.withoutCredentials(url) + " (REDIS_URL)");
            return run(jvms, outDir, url, out);
        }
        try (LocalRedis redis = LocalRedis.start()) {
            out.println("Redis: " + redis.uri() + ", a redis-server started for this run (" + redis.binary() + ")");
            return run(jvms, outDir, redis.uri(), out);
        }
    }

    private static FleetSummary run(int jvms, Path outDir, String url, PrintStream out) throws Exception {
        // each run keeps its budget under keys of its own, so that a second run within the hour starts afresh
        Map<String, String> env = Map.of("REDIS_URL", url, "FLEET_RUN", UUID.randomUUID().toString().substring(0, 8));
        Policy policy = policy(PolicyReader.withEnvironment(name -> env.getOrDefault(name, System.getenv(name))));
        out.println("agent-guard demo, fleet mode: " + jvms + " JVMs, " + SESSIONS + " sessions each, one agent ("
                + AGENT + ") and one budget in Redis; policy " + POLICY + " (examples/src/main/resources).");
        out.println("Each JVM runs its own OpenAI-compatible simulator and writes its own audit file; guards and"
                + " ledger run on real time (Redis TIME). Refusals print as they happen.");
        try (RedisBudgetLedger redis = FleetSummary.ledger(policy)) {
            redis.openHolds(); // one command: a Redis that does not answer is said here, once, not by every JVM
            if (!redis.isAvailable()) {
                throw new IllegalStateException("Redis at " + RedisUris.withoutCredentials(url) + " does not answer");
            }
            List<Member> members = new ArrayList<>();
            try {
                CountDownLatch ready = new CountDownLatch(jvms);
                for (int i = 1; i <= jvms; i++) {
                    members.add(Member.start("jvm-" + i, Demo.freshAuditFile(outDir.resolve("jvm-" + i)), env,
                            ready, out));
                }
                awaitReady(members, ready);
                out.println("All " + jvms + " JVMs are ready: go.");
                for (Member m : members) {
                    m.go();
                }
                for (Member m : members) {
                    m.await(RUN_SECONDS);
                }
            } finally {
                for (Member m : members) {
                    m.stop();
                }
            }
            List<FleetSummary.Jvm> read = new ArrayList<>();
            for (Member m : members) {
                read.add(FleetSummary.Jvm.read(m.name, m.process.pid(), m.process.exitValue(), m.auditFile));
            }
            FleetSummary summary = FleetSummary.read(policy, AGENT, read, redis);
            out.println();
            summary.print(out);
            return summary;
        }
    }

    /** Waits until every JVM is ready; stops early, saying which, if one of them exits first. */
    private static void awaitReady(List<Member> members, CountDownLatch ready) throws InterruptedException {
        for (long waited = 0; !ready.await(1, TimeUnit.SECONDS); waited++) {
            for (Member m : members) {
                if (!m.process.isAlive()) {
                    m.relay.join(TimeUnit.SECONDS.toMillis(10)); // its last lines, which say why, first
                    throw new IllegalStateException(m.name + " exited with status " + m.process.exitValue()
                            + " before it was ready (its console is above)");
                }
            }
            if (waited >= READY_SECONDS) {
                throw new IllegalStateException("the fleet's JVMs were not ready within " + READY_SECONDS + " s");
            }
        }
    }

    /** One JVM of the fleet, seen from here: its process, and a thread that relays its console. */
    private static final class Member {
        final String name;
        final Path auditFile;
        final Process process;
        final Thread relay;

        private Member(String name, Path auditFile, Process process, Thread relay) {
            this.name = name;
            this.auditFile = auditFile;
            this.process = process;
            this.relay = relay;
        }

        static Member start(String name, Path auditFile, Map<String, String> env, CountDownLatch ready,
                PrintStream out) throws IOException {
            ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", // a short run: start fast
                    "-Dlogback.configurationFile=" + System.getProperty("logback.configurationFile", "logback.xml"),
                    "-cp", System.getProperty("java.class.path"), FleetMember.class.getName(),
                    name, Integer.toString(SESSIONS), auditFile.toString()).redirectErrorStream(true);
            pb.environment().putAll(env);
            Process process = pb.start();
            Thread relay = new Thread(() -> relay(name, process.getInputStream(), ready, out), "fleet-" + name);
            relay.setDaemon(true);
            relay.start();
            return new Member(name, auditFile, process, relay);
        }

        private static void relay(String name, InputStream from, CountDownLatch ready, PrintStream out) {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(from, StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    if (line.equals(FleetMember.READY)) {
                        ready.countDown();
                    } else {
                        out.println("  " + name + " |" + (line.startsWith(" ") ? "" : " ") + line);
                    }
                }
            } catch (IOException e) {
                out.println("  " + name + " | (console lost: " + e.getMessage() + ")");
            }
        }

        void go() throws IOException {
            OutputStream in = process.getOutputStream();
            in.write((FleetMember.GO + "\n").getBytes(StandardCharsets.UTF_8));
            in.flush();
        }

        void await(long seconds) throws InterruptedException {
            if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
                throw new IllegalStateException(name + " (pid " + process.pid() + ") did not finish within "
                        + seconds + " s");
            }
            relay.join(TimeUnit.SECONDS.toMillis(10)); // its last lines are printed before the summary
        }

        /** Ends the JVM if it still runs (the fleet failed); a finished one is left as it is. */
        void stop() throws InterruptedException {
            if (process.isAlive()) {
                process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
        }
    }
}

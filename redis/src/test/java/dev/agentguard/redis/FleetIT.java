package dev.agentguard.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentguard.core.ledger.BudgetKey;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Three JVMs (child processes) of eight threads each spend on one agent budget and two tenant budgets in one Redis
 * for over 20 seconds, with random amounts, failures, cancellations and double settlements; one JVM is killed
 * (SIGKILL) mid-run. Afterwards: no budget passed its limit, Redis holds exactly what the JVMs settled (for the
 * killed one, what its journal proves it settled, plus the worst case of the holds it left, within the one
 * operation per thread that was in flight), and once the leases have ended no hold or reservation is left.
 */
class FleetIT {

    private static final int JVMS = 3;
    private static final int THREADS = 8;
    private static final int SECONDS = 22;
    /** Reached about half-way through the run here (2 loaded cores), so that it has both free spending and refusals. */
    private static final long AGENT_LIMIT = 1_200_000;
    private static final long TENANT_LIMIT = 800_000;
    private static final int KILLED = 2;
    private static final int KILL_AFTER_SECONDS = 3;

    @Test
    void threeJvmsNeverPassALimitAndRedisHoldsExactlyWhatTheySettled() throws Exception {
        Path dir = Files.createTempDirectory("agentguard-fleet");
        try (RedisServer server = RedisServer.start()) {
            List<Process> jvms = new ArrayList<>();
            Map<Integer, Map<String, String>> results = new ConcurrentHashMap<>();
            CountDownLatch killTime = new CountDownLatch(1);
            for (int j = 0; j < JVMS; j++) {
                Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Xmx256m", "-cp", System.getProperty("java.class.path"), FleetWorker.class.getName(),
                        server.uri(), "fleet", Integer.toString(THREADS), Integer.toString(SECONDS),
                        Integer.toString(j), dir.toString(), Long.toString(AGENT_LIMIT), Long.toString(TENANT_LIMIT))
                        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
                jvms.add(p);
                int index = j;
                Map<String, String> result = new ConcurrentHashMap<>();
                results.put(j, result);
                AtomicInteger progress = new AtomicInteger();
                Thread reader = new Thread(() -> {
                    try (BufferedReader in = new BufferedReader(
                            new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                        String line;
                        while ((line = in.readLine()) != null) {
                            String[] f = line.split(" ", 2);
                            result.put(f[0], f.length > 1 ? f[1] : "");
                            if (index == KILLED && f[0].equals("PROGRESS")
                                    && progress.incrementAndGet() == KILL_AFTER_SECONDS) {
                                killTime.countDown();
                            }
                        }
                    } catch (IOException ignored) {
                        // killed
                    }
                });
                reader.setDaemon(true);
                reader.start();
            }
            assertThat(killTime.await(60, TimeUnit.SECONDS)).as("the JVM to kill made progress").isTrue();
            jvms.get(KILLED).destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            for (int j = 0; j < JVMS; j++) {
                if (j != KILLED) {
                    assertThat(jvms.get(j).waitFor(SECONDS + 90, TimeUnit.SECONDS)).isTrue();
                    assertThat(jvms.get(j).exitValue()).as("JVM " + j + " exit").isZero();
                }
            }

            long reported = 0;
            long cycles = 0;
            long refused = 0;
            for (int j = 0; j < JVMS; j++) {
                if (j != KILLED) {
                    Map<String, String> r = results.get(j);
                    assertThat(r.get("PENDING")).as("JVM " + j + " left operations unsent").isEqualTo("0");
                    reported += Long.parseLong(r.get("TOTAL"));
                    cycles += Long.parseLong(r.get("CYCLES"));
                    refused += Long.parseLong(r.get("REFUSED"));
                }
            }
            Journal killed = Journal.read(dir, KILLED, THREADS);

            AtomicInteger shift = new AtomicInteger();
            try (RedisBudgetLedger check = RedisBudgetLedger.builder(server.uri()).guard("fleet")
                    .timeout(Duration.ofSeconds(10)).timeShift(shift::get).build()) {
                shift.set((int) FleetWorker.LEASE.plusSeconds(1).toMillis()); // every lease has ended
                int expired = check.expireLapsed();
                long agent = check.used(FleetWorker.AGENT);
                long tenants = 0;
                for (BudgetKey t : FleetWorker.TENANTS) {
                    long used = check.used(t);
                    assertThat(used).as(t.toString()).isLessThanOrEqualTo(TENANT_LIMIT);
                    tenants += used;
                    assertThat(check.reserved(t)).isZero();
                }
                System.out.printf("fleet: %d cycles in the surviving JVMs (%d refused), %d settled by them, %d by the"
                        + " killed one (plus %d in flight), %d holds charged at lease end; agent %d of %d, tenants"
                        + " %d%n", cycles, refused, reported, killed.settled, killed.uncertain.size(), expired, agent,
                        AGENT_LIMIT, tenants);

                assertThat(agent).isLessThanOrEqualTo(AGENT_LIMIT).isEqualTo(tenants);
                assertThat(agent).as("both tenants spent").isGreaterThan(TENANT_LIMIT);
                assertThat(refused).as("the limits were reached: the test exercised refusals").isPositive();
                assertThat(killed.possibleTotals()).as("Redis holds what the JVMs settled")
                        .contains(agent - reported - killed.settled);
                assertThat(check.reserved(FleetWorker.AGENT)).isZero();
                assertThat(check.openHolds()).isZero();
            }
        }
    }

    /** What the killed JVM's threads journaled: settled for sure, and per thread the operation in flight. */
    private static final class Journal {
        long settled;
        final List<long[]> uncertain = new ArrayList<>();

        static Journal read(Path dir, int jvm, int threads) throws IOException {
            Journal j = new Journal();
            for (int t = 0; t < threads; t++) {
                long reservedAmount = 0;
                long pendingActual = 0;
                String state = "D";
                for (String line : Files.readAllLines(dir.resolve("journal-" + jvm + "-" + t))) {
                    String[] f = line.split(" ");
                    switch (f[0]) {
                        case "r":
                            reservedAmount = Long.parseLong(f[1]);
                            break;
                        case "S":
                            pendingActual = Long.parseLong(f[1]);
                            break;
                        case "L":
                            pendingActual = 0;
                            break;
                        case "D":
                            j.settled += state.equals("S") ? pendingActual : 0;
                            break;
                        case "P": // kept for a Redis that did not answer, lost with the JVM: actual or worst case
                            j.uncertain.add(new long[] {pendingActual, reservedAmount});
                            break;
                        default:
                            break;
                    }
                    state = f[0];
                }
                switch (state) {
                    case "r": // reserved or not
                    case "L": // released or left to its lease
                        j.uncertain.add(new long[] {0, reservedAmount});
                        break;
                    case "R": // held: charged its worst case at the lease's end
                        j.settled += reservedAmount;
                        break;
                    case "S": // settled or left to its lease
                        j.uncertain.add(new long[] {pendingActual, reservedAmount});
                        break;
                    default:
                        break;
                }
            }
            return j;
        }

        Set<Long> possibleTotals() {
            Set<Long> sums = new HashSet<>(Set.of(0L));
            for (long[] options : uncertain) {
                Set<Long> next = new HashSet<>();
                for (long s : sums) {
                    for (long o : options) {
                        next.add(s + o);
                    }
                }
                sums = next;
            }
            return sums;
        }
    }
}

package dev.agentguard.redis;

import dev.agentguard.core.common.Scope;
import dev.agentguard.core.common.Ticker;
import dev.agentguard.core.ledger.BudgetKey;
import dev.agentguard.core.ledger.BudgetRequest;
import dev.agentguard.core.ledger.Hold;
import dev.agentguard.core.window.WindowSpec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * One JVM of {@link FleetIT}: threads that reserve on one agent budget and one of two tenant budgets, then settle,
 * fail (settle part), cancel (release) or settle twice, at random, for a given time. Each thread journals what it
 * does to its own file before and after each Redis operation (one write per line, so a SIGKILL leaves whole lines),
 * so that the test can tell what a killed JVM had settled. Prints {@code PROGRESS} once a second and
 * {@code TOTAL <settled>} at the end.
 *
 * <p>Arguments: redis URI, guard name, threads, seconds, seed, journal directory, agent limit, tenant limit.
 */
public final class FleetWorker {

    static final WindowSpec HOUR = WindowSpec.sliding(Duration.ofHours(1), 60);
    static final BudgetKey AGENT = new BudgetKey("agent-1h", Scope.AGENT, "support", HOUR);
    static final List<BudgetKey> TENANTS = List.of(new BudgetKey("tenant-1h", Scope.TENANT, "acme", HOUR),
            new BudgetKey("tenant-1h", Scope.TENANT, "globex", HOUR));
    static final Duration LEASE = Duration.ofSeconds(30);

    private FleetWorker() {
    }

    public static void main(String[] args) throws Exception {
        String uri = args[0];
        String guard = args[1];
        int threads = Integer.parseInt(args[2]);
        long nanos = TimeUnit.SECONDS.toNanos(Long.parseLong(args[3]));
        long seed = Long.parseLong(args[4]);
        Path dir = Path.of(args[5]);
        long agentLimit = Long.parseLong(args[6]);
        long tenantLimit = Long.parseLong(args[7]);
        Ticker ticker = Ticker.system();
        AtomicLong total = new AtomicLong();
        AtomicLong cycles = new AtomicLong();
        AtomicLong refused = new AtomicLong();
        try (RedisBudgetLedger ledger = RedisBudgetLedger.builder(uri).guard(guard).timeout(Duration.ofSeconds(5))
                .lease(LEASE).build()) {
            long end = ticker.read() + nanos;
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                SplittableRandom random = new SplittableRandom(seed * 1000 + t);
                FileChannel journal = FileChannel.open(dir.resolve("journal-" + seed + "-" + t), StandardOpenOption.CREATE,
                        StandardOpenOption.WRITE, StandardOpenOption.APPEND);
                Thread w = new Thread(() -> {
                    try (journal) {
                        while (ticker.read() - end < 0) {
                            long settled = cycle(ledger, random, journal, agentLimit, tenantLimit);
                            if (settled < 0) {
                                refused.incrementAndGet();
                            } else {
                                total.addAndGet(settled);
                            }
                            cycles.incrementAndGet();
                        }
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
                w.start();
                workers.add(w);
            }
            long nextProgress = ticker.read() + TimeUnit.SECONDS.toNanos(1);
            while (workers.stream().anyMatch(Thread::isAlive)) {
                workers.get(0).join(100);
                if (ticker.read() - nextProgress >= 0) {
                    System.out.println("PROGRESS " + cycles.get());
                    nextProgress += TimeUnit.SECONDS.toNanos(1);
                }
            }
            long deadline = ticker.read() + TimeUnit.SECONDS.toNanos(30);
            while (ledger.pendingOperations() > 0 && ticker.read() - deadline < 0) {
                ledger.openHolds(); // probes Redis and replays what waited
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
            }
            System.out.println("PENDING " + ledger.pendingOperations());
            System.out.println("CYCLES " + cycles.get());
            System.out.println("REFUSED " + refused.get());
            System.out.println("TOTAL " + total.get());
        }
    }

    /** @return what this cycle settled, or -1 when its reservation was refused */
    private static long cycle(RedisBudgetLedger ledger, SplittableRandom random, FileChannel journal, long agentLimit,
            long tenantLimit) throws IOException {
        long amount = 1 + random.nextInt(200);
        BudgetKey tenant = TENANTS.get(random.nextInt(2));
        write(journal, "r " + amount);
        Hold hold = ledger.reserve(List.of(new BudgetRequest(AGENT, amount, agentLimit),
                new BudgetRequest(tenant, amount, tenantLimit)));
        if (!hold.granted()) {
            write(journal, "N");
            return -1;
        }
        write(journal, "R " + amount);
        int what = random.nextInt(10);
        if (what == 0) { // cancelled
            write(journal, "L");
            ledger.release(hold);
            write(journal, ledger.isAvailable() ? "D" : "P");
            return 0;
        }
        long actual = what == 1 ? random.nextLong(amount / 2 + 1) // failed: part of it was used
                : random.nextLong(amount + 1);
        write(journal, "S " + actual);
        ledger.settle(hold, new long[] {actual, actual});
        write(journal, ledger.isAvailable() ? "D" : "P");
        if (what == 2) { // a second settle and a release do nothing
            ledger.settle(hold, new long[] {actual, actual});
            ledger.release(hold);
        }
        return actual;
    }

    private static void write(FileChannel journal, String line) throws IOException {
        ByteBuffer b = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.US_ASCII));
        while (b.hasRemaining()) {
            journal.write(b);
        }
    }
}

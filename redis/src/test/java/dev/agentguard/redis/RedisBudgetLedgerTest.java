package dev.agentguard.redis;

import dev.agentguard.core.ledger.BudgetLedger;
import dev.agentguard.core.ledger.BudgetLedgerContract;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

/** The ledger contract, run on a real redis-server that the test starts. */
class RedisBudgetLedgerTest extends BudgetLedgerContract {

    private static final AtomicInteger GUARDS = new AtomicInteger();
    private static RedisServer server;

    private final List<RedisBudgetLedger> ledgers = new ArrayList<>();
    private final AtomicLong shift = new AtomicLong();

    @BeforeAll
    static void startServer() {
        server = RedisServer.start();
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @AfterEach
    void closeLedgers() {
        ledgers.forEach(RedisBudgetLedger::close);
    }

    @Override
    protected BudgetLedger newLedger() {
        shift.set(START.toEpochMilli() - Clock.systemUTC().millis()); // the server's clock, moved to START
        RedisBudgetLedger ledger = RedisBudgetLedger.builder(server.uri())
                .guard("contract-" + GUARDS.incrementAndGet()) // a fresh key space per test
                .timeout(Duration.ofSeconds(10))
                .lease(Duration.ofHours(1))
                .timeShift(shift::get)
                .build();
        ledgers.add(ledger);
        return ledger;
    }

    @Override
    protected void advance(Duration duration) {
        shift.addAndGet(duration.toMillis());
    }
}

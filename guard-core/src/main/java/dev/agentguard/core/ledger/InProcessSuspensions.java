package dev.agentguard.core.ledger;

import dev.agentguard.core.common.SteadyClock;
import dev.agentguard.core.common.Ticker;
import dev.agentguard.core.common.Unit;
import dev.agentguard.core.window.WindowSpec;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Gives a ledger that does not {@link BudgetLedger#keepsSuspensions() keep suspensions} (one written before they
 * joined the SPI) suspensions kept in this process: the guard wraps such a ledger in this, so that
 * {@code onExceed: suspend} works with it as it always did, per process. Everything else goes to the ledger; its own
 * holds pass through unchanged. A reservation whose requests check suspension costs one cache lookup each, once a
 * suspension was ever made.
 */
public final class InProcessSuspensions implements BudgetLedger {

    private final BudgetLedger ledger;
    private final SuspensionBook book;

    private InProcessSuspensions(BudgetLedger ledger, Ticker ticker, SteadyClock clock, long maxSuspensions) {
        this.ledger = ledger;
        this.book = new SuspensionBook(ticker, clock, maxSuspensions);
    }

    /**
     * @param ledger a ledger
     * @param ticker the guard's ticker
     * @param clock the guard's clock (suspensions end at its moments)
     * @param maxSuspensions how many to keep at most
     * @return the ledger itself if it keeps suspensions, else the ledger with suspensions kept in this process
     */
    public static BudgetLedger around(BudgetLedger ledger, Ticker ticker, SteadyClock clock, long maxSuspensions) {
        Objects.requireNonNull(ledger, "ledger");
        return ledger.keepsSuspensions() ? ledger : new InProcessSuspensions(ledger, ticker, clock, maxSuspensions);
    }

    /** @return the wrapped ledger */
    public BudgetLedger ledger() {
        return ledger;
    }

    @Override
    public Hold reserve(List<BudgetRequest> requests) {
        Suspension[] suspended = book.check(requests);
        return suspended != null ? new SuspendedHold(suspended) : ledger.reserve(requests);
    }

    @Override
    public Hold reserve(List<BudgetRequest> requests, Ticker ticker, long tick) {
        Suspension[] suspended = book.check(requests);
        return suspended != null ? new SuspendedHold(suspended) : ledger.reserve(requests, ticker, tick);
    }

    @Override
    public void settle(Hold hold, long[] actualAmounts) {
        if (!(hold instanceof SuspendedHold)) {
            ledger.settle(hold, actualAmounts);
        }
    }

    @Override
    public void settle(Hold hold, Unit[] units, long costNanos, long tokens) {
        if (!(hold instanceof SuspendedHold)) {
            ledger.settle(hold, units, costNanos, tokens); // the ledger's own, which may need no array
        }
    }

    @Override
    public void settle(Hold hold, Unit[] units, long costNanos, long tokens, Ticker ticker, long tick) {
        if (!(hold instanceof SuspendedHold)) {
            ledger.settle(hold, units, costNanos, tokens, ticker, tick);
        }
    }

    @Override
    public void release(Hold hold) {
        if (!(hold instanceof SuspendedHold)) {
            ledger.release(hold);
        }
    }

    @Override
    public long used(BudgetKey key) {
        return ledger.used(key);
    }

    @Override
    public long reserved(BudgetKey key) {
        return ledger.reserved(key);
    }

    @Override
    public long openHolds() {
        return ledger.openHolds();
    }

    @Override
    public void reshape(String budgetId, WindowSpec window) {
        ledger.reshape(budgetId, window);
    }

    @Override
    public boolean keepsSuspensions() {
        return true;
    }

    @Override
    public void suspend(BudgetKey key, Instant until, long limit) {
        book.suspend(key, until, limit);
    }

    @Override
    public Suspension suspension(BudgetKey key) {
        return book.get(key);
    }

    @Override
    public boolean lift(BudgetKey key) {
        return book.lift(key);
    }

    @Override
    public List<Suspension> suspensions() {
        return book.all();
    }

    @Override
    public List<WindowState> windows(String budgetId) {
        return ledger.windows(budgetId);
    }

    @Override
    public WindowState window(BudgetKey key) {
        WindowState w = ledger.window(key);
        Suspension s = book.get(key);
        if (s == null) {
            return w;
        }
        return w == null ? new WindowState(key.budgetId(), key.scope(), key.scopeKey(), 0, 0, null, s.until())
                : new WindowState(w.budgetId(), w.scope(), w.scopeKey(), w.used(), w.reserved(), w.windowEnd(),
                        s.until());
    }

    @Override
    public boolean reset(BudgetKey key) {
        return ledger.reset(key);
    }

    @Override
    public String toString() {
        return ledger + " (suspensions in this process)";
    }
}

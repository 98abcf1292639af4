package dev.agentguard.core;

import dev.agentguard.core.common.Action;
import dev.agentguard.core.common.Unit;
import java.util.ArrayList;
import java.util.List;

/**
 * The one place where "the tightest action wins" is decided, and where shadow mode is handled. Every rule that
 * fires on a call is offered here, whatever its kind (caps, loops, prices, prompt size, health, budgets, a block
 * that ends a run); the verdict keeps the tightest (suspend &gt; block &gt; feedback &gt; final answer &gt;
 * truncate &gt; downgrade &gt; warn &gt; allow, the first offered among equals) and the list of everything that
 * fired, which the decision carries ({@link Decision#fired()}).
 *
 * <p>Enforcing, a refusing verdict {@link #stops() stops} the call: later stages still evaluate (so that what
 * fired together is recorded, and a tighter rule can still win) but reserve and change nothing. In shadow mode
 * nothing stops a call: every stage runs as enforcing would have run it, and the decision is marked shadow.
 *
 * <p>Not thread-safe: one per admission. Allocates its list only when a rule fires.
 */
final class Verdict {

    private final boolean shadow;
    private Decision.Builder winner;
    private List<Decision.Fired> fired;
    private long targetPromptTokens = Decision.NO_FIGURE;
    private String remainingBudget;
    private long remaining = Decision.NO_FIGURE;
    private Unit remainingUnit;

    Verdict(boolean shadow) {
        this.shadow = shadow;
    }

    /** @param candidate what one rule decided, or null when it did not fire */
    void offer(Decision.Builder candidate) {
        if (candidate == null) {
            return;
        }
        if (candidate.action() != Action.ALLOW && candidate.rule() != null) {
            if (fired == null) {
                fired = new ArrayList<>(4);
            }
            fired.add(new Decision.Fired(candidate.rule(), candidate.action(), candidate.reason()));
        }
        if (candidate.targetPromptTokens() != Decision.NO_FIGURE) {
            targetPromptTokens = candidate.targetPromptTokens();
        }
        if (winner == null || candidate.action().isTighterThan(winner.action())) {
            winner = candidate;
        }
    }

    /**
     * Records what the tightest budget has left, which the decision carries whatever wins (when the call was
     * reserved).
     */
    void remaining(String budget, long left, Unit unit) {
        remainingBudget = budget;
        remaining = left;
        remainingUnit = unit;
    }

    /** @return the winning action so far */
    Action action() {
        return winner == null ? Action.ALLOW : winner.action();
    }

    /** @return true if the call would be refused, enforcing or not */
    boolean refuses() {
        return action().refuses();
    }

    /** @return true if the call is refused and the guard enforces: nothing more may be reserved or changed */
    boolean stops() {
        return !shadow && refuses();
    }

    /** @return true in shadow mode */
    boolean shadow() {
        return shadow;
    }

    /** @return the winner's builder (an allow when nothing fired), to add the call's figures to */
    Decision.Builder winner() {
        if (winner == null) {
            winner = Decision.builder(Action.ALLOW);
        }
        return winner;
    }

    /**
     * @param requested the model asked for
     * @param model the model to use (ignored in shadow mode: the call goes unchanged)
     * @return the decision
     */
    Decision decide(String requested, String model) {
        if (winner == null && targetPromptTokens == Decision.NO_FIGURE) {
            // nothing fired: the plain allow of most calls, without a builder
            return Decision.allow(remainingBudget, remaining, remainingUnit, requested, shadow ? requested : model,
                    shadow);
        }
        Decision.Builder w = winner();
        if (remainingBudget != null) {
            w.remaining(remainingBudget, remaining, remainingUnit);
        }
        if (targetPromptTokens != Decision.NO_FIGURE && !w.action().refuses()) {
            w.targetPromptTokens(targetPromptTokens); // a truncation applies whatever goes ahead (a final answer)
        }
        return w.models(requested, shadow ? requested : model).shadow(shadow).fired(fired).build();
    }
}

package dev.agentguard.examples.demo;

import dev.agentguard.core.common.CallKind;
import dev.agentguard.core.DecisionEvent;
import dev.agentguard.core.DecisionListener;
import dev.agentguard.core.common.Money;
import dev.agentguard.core.common.Usage;
import java.io.PrintStream;
import java.util.concurrent.TimeUnit;

/**
 * Prints one line for each call that was made, from the guard's own post record: which model answered, the
 * tokens and cost it was charged, and what truncation dropped. The guard's other decisions (warn, downgrade,
 * feedback, block...) appear as the decision log's lines ({@code agentguard.decision}); together they read as the
 * story of each scenario.
 */
final class CallPrinter implements DecisionListener {

    private final PrintStream out;
    private volatile boolean quiet;

    CallPrinter(PrintStream out) {
        this.out = out;
    }

    /** @param quiet true to print nothing (the concurrent scenario prints its own summary) */
    void quiet(boolean quiet) {
        this.quiet = quiet;
    }

    @Override
    public void onDecision(DecisionEvent event) {
        if (quiet || !(event instanceof DecisionEvent.CallSettled e)) {
            return;
        }
        StringBuilder line = new StringBuilder("    ");
        if (e.kind() == CallKind.TOOL_CALL) {
            line.append("tool  ").append(e.tool()).append(" ran: ").append(e.outcome());
        } else if (e.kind() == CallKind.MODEL_CALL) {
            Usage u = e.usage();
            line.append("model ").append(e.model()).append(": ").append(e.outcome());
            if (u != null && u.isComplete()) {
                line.append(", ").append(String.format("%,d", u.promptTokens())).append(" tokens in (")
                        .append(String.format("%,d", Math.max(0, u.cacheRead()))).append(" cached), ")
                        .append(String.format("%,d", u.completionTokens())).append(" out");
            }
            line.append(", ").append(Money.ofNanos(e.costNanos()));
            line.append(", ").append(String.format("%,d", TimeUnit.NANOSECONDS.toMillis(e.latencyNanos())))
                    .append(" ms");
            if (e.droppedMessages() > 0) {
                line.append("; truncation dropped the ").append(e.droppedMessages()).append(" oldest messages (")
                        .append(String.format("%,d", e.droppedTokens())).append(" tokens)");
            }
        } else {
            return;
        }
        out.println(line);
    }
}

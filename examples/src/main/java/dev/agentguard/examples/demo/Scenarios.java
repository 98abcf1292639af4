package dev.agentguard.examples.demo;

import dev.agentguard.core.Budget;
import dev.agentguard.core.Caps;
import dev.agentguard.core.Guard;
import dev.agentguard.core.HealthRules;
import dev.agentguard.core.LoopRules;
import dev.agentguard.core.common.Money;
import dev.agentguard.examples.sim.OpenAiSimulator;
import dev.agentguard.examples.sim.OpenAiSimulator.Reply;
import dev.agentguard.langchain4j.GuardBlockedException;
import dev.agentguard.langchain4j.GuardedAiServices;
import dev.langchain4j.agent.tool.P;
import dev.langchain4j.agent.tool.Tool;
import dev.langchain4j.memory.chat.MessageWindowChatMemory;
import dev.langchain4j.service.MemoryId;
import dev.langchain4j.service.SystemMessage;
import dev.langchain4j.service.UserMessage;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * The demo's five scenarios. Each one drives an AI service (LangChain4j {@code AiServices}, guarded by
 * {@link GuardedAiServices}) through the real {@code OpenAiChatModel}; on the simulator, each scenario first
 * scripts what the model does.
 */
final class Scenarios {

    /** The agents of the demo, one AI-service interface for all of them. */
    interface Assistant {
        @SystemMessage("You are a helpful operations assistant. Be brief.")
        String chat(@MemoryId String session, @UserMessage String message);
    }

    /** The support agent's tool: an order whose status is never final, which tempts a model to check again. */
    static final class OrderTools {
        final AtomicInteger runs = new AtomicInteger();

        @Tool(name = "lookup_order", value = "Looks up the current status of a customer's order")
        String lookupOrder(@P(name = "orderId", value = "the order id") String orderId,
                @P(name = "email", value = "the customer's e-mail") String email) {
            runs.incrementAndGet();
            return "Order " + orderId + ": PROCESSING (payment pending). The status is not final yet.";
        }
    }

    /** What the concurrent scenario measured. */
    static final class Shared {
        final int sessions;
        final int admitted;
        final int refused;
        final long spentNanos;
        final long limitNanos;

        Shared(int sessions, int admitted, int refused, long spentNanos, long limitNanos) {
            this.sessions = sessions;
            this.admitted = admitted;
            this.refused = refused;
            this.spentNanos = spentNanos;
            this.limitNanos = limitNanos;
        }
    }

    static final String CUSTOMER_EMAIL = "jane.doe@example.com";
    static final String ORDER_ARGS = "{\"orderId\":\"A-1042\",\"email\":\"" + CUSTOMER_EMAIL + "\"}";

    private final Guard guard;
    private final Endpoint endpoint;
    private final SimulatedTime time;
    private final CallPrinter printer;
    private final PrintStream out;

    Scenarios(Guard guard, Endpoint endpoint, SimulatedTime time, CallPrinter printer, PrintStream out) {
        this.guard = guard;
        this.endpoint = endpoint;
        this.time = time;
        this.printer = printer;
        this.out = out;
    }

    private Budget budget(String id) {
        return guard.config().budgets().stream().filter(b -> b.id().equals(id)).findFirst()
                .orElseThrow(() -> new IllegalStateException("the demo policy has no budget " + id));
    }

    private void script(OpenAiSimulator.Behaviour behaviour) {
        endpoint.simulator().ifPresent(s -> s.behave(behaviour));
    }

    private Assistant assistant(String agent, String model, int memory, Object... tools) {
        return assistant(guard, endpoint, agent, model, memory, tools);
    }

    /** @return an AI service of the given agent, guarded by {@code guard}, on {@code endpoint}'s model */
    static Assistant assistant(Guard guard, Endpoint endpoint, String agent, String model, int memory,
            Object... tools) {
        GuardedAiServices<Assistant> b = GuardedAiServices.builder(Assistant.class, guard).agent(agent)
                .chatModel(endpoint.model(model))
                .configure(ai -> ai.chatMemoryProvider(id -> MessageWindowChatMemory.withMaxMessages(memory)));
        return tools.length == 0 ? b.build() : b.tools(tools).build();
    }

    private void title(int n, String title, String what) {
        out.println();
        out.println("=== " + n + ". " + title + " ===");
        out.println(what);
    }

    /** Asks, prints the answer or why the agent stopped; returns false if the guard refused the call. */
    private boolean ask(Assistant assistant, String session, String label, String message) {
        out.println("  " + label + " [" + session + "] " + firstLine(message));
        try {
            String answer = assistant.chat(session, message);
            out.println("  -> " + firstLine(answer));
            return true;
        } catch (GuardBlockedException e) {
            out.println("  STOPPED: the guard refused a call of the agent (" + e.decision().rule() + ")");
            return false;
        } catch (RuntimeException e) {
            out.println("  FAILED: the provider answered with an error: " + firstLine(String.valueOf(e.getMessage())));
            return true;
        }
    }

    private static String firstLine(String text) {
        String line = text == null ? "" : text.strip().lines().findFirst().orElse("");
        return line.length() > 110 ? line.substring(0, 107) + "..." : line;
    }

    /** 1. The same tool call again and again: warned, refused with feedback, then blocked. */
    void toolLoop() {
        LoopRules loops = guard.config().loops();
        title(1, "A tool loop", "The support agent checks an order whose status is never final, again and again."
                + " Policy: loops.identicalToolCalls warnAt " + loops.identicalToolCalls().warnAt() + ", blockAt "
                + loops.identicalToolCalls().blockAt() + ", onLoop " + loops.onLoop().name().toLowerCase() + ".");
        script(r -> Reply.toolCall("lookup_order", ORDER_ARGS)); // the model insists, whatever it is told
        OrderTools tools = new OrderTools();
        Assistant support = assistant("support", endpoint.cheap(), 30, tools);
        ask(support, "loop-1", "user", "Where is my order A-1042? My e-mail is " + CUSTOMER_EMAIL + ". "
                + "I need a final status, keep checking until it is final.");
        out.println("  lookup_order ran " + tools.runs.get() + " times; the guard refused the calls after that.");
    }

    /** 2. A conversation whose context grows until the prompt cap truncates it. */
    void growingContext() {
        Caps caps = guard.config().caps();
        title(2, "A growing context", "A user pastes log excerpt after log excerpt into one conversation."
                + " Policy: caps.promptTokens max " + String.format("%,d", caps.promptTokensMax()) + ", onExceed "
                + caps.promptAction().name().toLowerCase() + " (the oldest messages are dropped).");
        script(r -> Reply.text("The pool is exhausted (10 of 10 connections busy; messages in context: "
                + (r.messageCount() - 1) + "). Raise maximumPoolSize or fix the slow query.", 60));
        Assistant support = assistant("support", endpoint.cheap(), 100);
        for (int part = 1; part <= 7; part++) {
            ask(support, "chat-2", "user", Texts.logExcerpt(part));
        }
    }

    /** 3. Spend crosses downgradeAt, goes on on the cheaper model, then meets the hard limit. */
    void spendAndDowngrade() {
        Budget session = budget("session-10m");
        title(3, "A session that spends", "An analyst summarises a long report on " + endpoint.primary()
                + ". Policy: budgets.session-10m " + Money.ofNanos(session.limit()) + " per "
                + session.window() + ", warnAt " + Arrays.stream(session.warnAt()).mapToObj(w -> w + "%").collect(Collectors.joining(", "))
                + ", downgradeAt "
                + session.downgradeAt() + "% (to " + endpoint.cheap() + "), onExceed " + session.onExceed() + ".");
        script(r -> Reply.text("- Shipments up in every region\n- Returns flat\n- Response times improved", 900));
        Assistant analyst = assistant("analyst", endpoint.primary(), 2);
        for (int chunk = 1; chunk <= 20; chunk++) {
            if (!ask(analyst, "report-3", "user", Texts.reportChunk(chunk))) {
                break;
            }
            out.println("    session spend: " + Money.ofNanos(guard.budgetUsed(session.id(), "report-3"))
                    + " of " + Money.ofNanos(session.limit()));
        }
    }

    /** 4. The primary model turns slow and failing, is routed around, then recovers. */
    void unhealthyModel() {
        HealthRules health = guard.config().health();
        title(4, "A model in trouble", endpoint.primary() + " turns slow (12 s) and fails every other call."
                + " Policy: health p90 latency above " + health.latencyP90Above().toMillis() + " ms over "
                + health.latencyOverCalls() + " calls, or errors above " + health.errorRateAbove() + "% over "
                + health.errorOverCalls() + " calls -> downgrade; cooldown " + health.cooldown().toSeconds()
                + " s, then " + health.probeCalls() + " probe calls.");
        if (endpoint.simulator().isEmpty()) {
            out.println("  (skipped: a real endpoint cannot be made slow on purpose; run without OPENAI_API_KEY)");
            return;
        }
        AtomicBoolean degraded = new AtomicBoolean(true);
        AtomicInteger calls = new AtomicInteger();
        script(r -> {
            if (degraded.get() && r.model().equals(Endpoint.PRIMARY)) {
                return calls.incrementAndGet() % 2 == 1 ? Reply.error(500)
                        : Reply.text("All green, sorry for the wait.", 12).slowerBy(12_000);
            }
            return Reply.text("All green.", 8).slowerBy(r.model().equals(Endpoint.PRIMARY) ? 900 : 400);
        });
        Assistant triage = assistant("triage", endpoint.primary(), 4);
        for (int i = 1; i <= 7; i++) {
            ask(triage, "health-4", "user", "Status check " + i + ": is the checkout service healthy?");
        }
        Duration later = health.cooldown().plusSeconds(1);
        out.println("  ... " + endpoint.primary() + " recovers; " + later.toSeconds() + " s later (simulated time)"
                + " its cooldown is over: the next " + health.probeCalls() + " calls probe it, then it is back.");
        degraded.set(false);
        time.advance(later);
        for (int i = 8; i <= 10; i++) {
            ask(triage, "health-4", "user", "Status check " + i + ": is the checkout service healthy?");
        }
    }

    /** 5. Eight sessions at once share one agent budget, which is never exceeded. */
    Shared concurrentSessions() throws Exception {
        int sessions = 8;
        Budget agent = budget("agent-1h");
        title(5, "Eight sessions at once", sessions + " research sessions of one agent run in parallel until"
                + " the agent's budget is spent. Policy: budgets.agent-1h " + Money.ofNanos(agent.limit()) + " per "
                + agent.window() + ", onExceed " + agent.onExceed() + ".");
        script(r -> Reply.text("Added to the review.", 600));
        Assistant crew = assistant("research-crew", endpoint.cheap(), 2);
        Tally tally;
        printer.quiet(true);
        time.frozen(true); // see SimulatedTime.frozen
        try {
            tally = researchAtOnce(crew, "research-", sessions, () -> null);
        } finally {
            printer.quiet(false);
            time.frozen(false);
        }
        long spent = guard.budgetUsed(agent.id(), "research-crew");
        long limit = agent.limit();
        out.println("  research-crew: " + tally.admitted() + " calls answered, " + tally.refused()
                + " refused; spent " + Money.ofNanos(spent) + " of " + Money.ofNanos(limit)
                + (spent <= limit ? " (never more: every call reserved its worst case first)" : " OVERSPENT"));
        return new Shared(sessions, tally.admitted(), tally.refused(), spent, limit);
    }

    /** What research sessions run at once did: calls answered, and calls refused (one per session that met it). */
    record Tally(int admitted, int refused) {
    }

    /**
     * Runs research sessions at once, a thread each, until each one is refused (or has added 20 notes).
     *
     * @param crew the research agent
     * @param prefix the sessions' ids are this plus 1, 2, ...
     * @param sessions how many
     * @param beforeStart runs once every session waits on its thread, before they all start together
     * @return what they did
     * @throws Exception if {@code beforeStart} fails or is interrupted
     * @throws IllegalStateException if a session fails other than by a refusal
     */
    static Tally researchAtOnce(Assistant crew, String prefix, int sessions, Callable<?> beforeStart)
            throws Exception {
        AtomicInteger admitted = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(sessions);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> done = new ArrayList<>();
            for (int s = 1; s <= sessions; s++) {
                int session = s;
                done.add(pool.submit(() -> research(crew, prefix + session, session, start, admitted, refused)));
            }
            beforeStart.call();
            start.countDown();
            for (Future<?> f : done) {
                f.get();
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException("a research session failed", e.getCause());
        } finally {
            pool.shutdownNow(); // ends sessions still waiting to start when beforeStart failed
            pool.awaitTermination(10, TimeUnit.SECONDS);
        }
        return new Tally(admitted.get(), refused.get());
    }

    /** One research session: waits for {@code start}, then adds notes until the guard refuses a call (or 20). */
    private static void research(Assistant crew, String session, int notes, CountDownLatch start,
            AtomicInteger admitted, AtomicInteger refused) {
        try {
            start.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        for (int step = 1; step <= 20; step++) {
            try {
                crew.chat(session, Texts.researchNote(notes, step));
                admitted.incrementAndGet();
            } catch (GuardBlockedException e) {
                refused.incrementAndGet();
                return;
            }
        }
    }

    /** Runs the five scenarios, in order. */
    static Shared runAll(Scenarios s) throws Exception {
        s.toolLoop();
        s.growingContext();
        s.spendAndDowngrade();
        s.unhealthyModel();
        return s.concurrentSessions();
    }
}

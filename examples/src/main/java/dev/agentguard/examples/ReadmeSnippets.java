package dev.agentguard.examples;

import dev.agentguard.core.Admission;
import dev.agentguard.core.Budget;
import dev.agentguard.core.Guard;
import dev.agentguard.core.GuardConfig;
import dev.agentguard.core.GuardScope;
import dev.agentguard.core.Limit;
import dev.agentguard.core.ModelCall;
import dev.agentguard.core.OnExceed;
import dev.agentguard.core.common.Scope;
import dev.agentguard.core.common.Usage;
import dev.agentguard.core.audit.AuditConfig;
import dev.agentguard.core.audit.AuditSink;
import dev.agentguard.core.audit.RecentDecisions;
import dev.agentguard.core.log.DecisionLog;
import dev.agentguard.core.redact.Redactor;
import dev.agentguard.core.window.CalendarPeriod;
import dev.agentguard.core.window.WindowSpec;
import dev.agentguard.langchain4j.GuardBlockedException;
import dev.agentguard.micrometer.GuardMetrics;
import dev.agentguard.langchain4j.GuardedChatModel;
import dev.agentguard.langchain4j.ToolUnits;
import dev.agentguard.opentelemetry.GuardTracing;
import dev.agentguard.policy.Policies;
import dev.agentguard.policy.Policy;
import dev.agentguard.policy.PolicyWatcher;
import dev.langchain4j.agent.tool.Tool;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.openai.OpenAiChatModel;
import io.opentelemetry.api.OpenTelemetry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;

/**
 * The Java snippets of the README, compiled by the build. Each {@code tag::name[]} region appears verbatim (after
 * removing its indentation) as a {@code java} block of README.md; {@code ReadmeSnippetsTest} checks both ways.
 */
final class ReadmeSnippets {

    private ReadmeSnippets() {
    }

    /** What the pretend model returns in the core snippet. */
    record Reply(long uncachedInput, long cachedInput, long output, long reasoning) {
    }

    static Reply callTheModel(String model) {
        return new Reply(1_000, 200, 300, 0);
    }

    static void quickStart() {
        // tag::quick-start[]
        Guard guard = Policies.load(Path.of("policies/support-bot.yaml"));     // budgets, caps, loops, audit file
        ChatModel model = GuardedChatModel.wrap(OpenAiChatModel.builder()
                .apiKey(System.getenv("OPENAI_API_KEY")).modelName("gpt-4.1-mini").build(), guard);

        try (GuardScope scope = GuardScope.open("support", "session-42")) {    // agent and session of the calls
            System.out.println(model.chat("Where is my order?"));              // admitted first, then settled
        } catch (GuardBlockedException e) {                                    // refused: which rule, and why
            System.out.println(e.decision().rule() + ": " + e.decision().reason());
        }
        guard.close();                                                         // drains the audit file
        // end::quick-start[]
    }

    static void policies(Path path) {
        // tag::policies[]
        Guard guard = Policies.load(Path.of("policies/support-bot.yaml"));     // dev.agentguard.policy
        Policy policy = Policies.parse(path);                                  // validated, nothing built
        Map<String, Guard> agents = Policies.loadAgents(Path.of("policies/")); // agents: sections or one file per agent
        PolicyWatcher watcher = PolicyWatcher.builder(path, guard).build().start();   // hot reload
        // end::policies[]
    }

    /** Where the plan tiers of the README's resolver come from (a database, in real life). */
    interface Plans {
        /** @param tenant a tenant id @return its plan's daily dollars, when it has a plan */
        Optional<String> dailyLimitUsd(String tenant);
    }

    static Guard plans(Plans plans) {
        // tag::plans[]
        Guard guard = Policies.builder(Policies.parse(Path.of("policies/saas.yaml")))
                .limitResolver((budget, tenant) -> plans.dailyLimitUsd(tenant)   // the plan's dollars, or none
                        .map(Limit::usd).orElse(null), Duration.ofMinutes(5))
                .build();
        // end::plans[]
        return guard;
    }

    static void audit(GuardConfig config) {
        // tag::audit[]
        AuditSink audit = AuditSink.open(AuditConfig.builder()
                .file(Path.of("logs/agent-guard-audit.jsonl"))
                .redact(List.of("secrets", "emails", "cards", "phones"))   // the default: all four
                .rotateDaily(true)
                .hmacKeyEnv("AGENTGUARD_AUDIT_KEY")                        // optional: a keyed chain
                .build());
        RecentDecisions recent = new RecentDecisions(500);               // the last decisions, for a status page
        Guard guard = Guard.builder(config)
                .listener(new DecisionLog())                             // SLF4J logger agentguard.decision
                .listener(audit)                                         // JSONL, one line per decision
                .listener(recent)
                .build();
        // ... guarded calls ...
        guard.close();                                                   // drains and closes the audit file
        // end::audit[]
    }

    static void core() {
        // tag::core[]
        GuardConfig config = GuardConfig.builder()
                .name("support-bot")
                .budget(Budget.builder("session-10m").scope(Scope.SESSION)
                        .sliding(Duration.ofMinutes(10)).limitUsd("2.00").warnAt(50, 80).build())
                .budget(Budget.builder("tenant-day").scope(Scope.TENANT)
                        .window(WindowSpec.calendar(CalendarPeriod.DAY, ZoneId.of("Europe/Paris")))
                        .limitUsd("50.00").onExceed(OnExceed.suspend(Duration.ofHours(1))).build())
                .build();
        Guard guard = Guard.of(config);

        try (GuardScope scope = GuardScope.open("support", "session-42");
             Admission a = guard.admitModelCall(ModelCall.builder("gpt-4o-mini")
                     .promptTokens(1_200).maxOutputTokens(400).build())) {
            if (!a.proceeds()) {
                throw new IllegalStateException(a.decision().reason());   // e.g. budget would pass its limit
            }
            var reply = callTheModel(a.model());
            a.settle(Usage.of(reply.uncachedInput(), reply.cachedInput(), 0, reply.output(), reply.reasoning()));
        }
        // end::core[]
    }

    static String scopes(ChatModel model, ExecutorService workers) {
        // tag::scopes[]
        ExecutorService pool = GuardScope.wrap(workers);                        // once, shared by every session
        try (GuardScope scope = GuardScope.open("support", "session-42")) {
            CompletableFuture<String> summary = CompletableFuture.supplyAsync(
                    () -> model.chat("Summarise the ticket"), pool);                // attributed to session-42
            CompletableFuture<String> tags = CompletableFuture.supplyAsync(
                    GuardScope.wrapSupplier(() -> model.chat("Tag the ticket")));   // common pool: wrap the task
            return summary.join() + " " + tags.join();
        }
        // end::scopes[]
    }

    static void traces(Guard guard, Guard reviewed, OpenTelemetry openTelemetry) {
        // tag::traces[]
        GuardTracing.install(guard, openTelemetry);                        // once, before the calls to trace
        GuardTracing.builder(openTelemetry).captureContent(true)           // prompts, answers and tool arguments
                .redactor(Redactor.all()).install(reviewed);               // too, redacted (opt-in)
        // end::traces[]
    }

    static String metrics(Guard guard) {
        // tag::metrics[]
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        GuardMetrics.bind(guard, registry);                 // dev.agentguard.micrometer; serve registry.scrape() at /metrics
        // end::metrics[]
        return registry.scrape();
    }

    static void metricsOptions(Guard guard, PrometheusMeterRegistry registry) {
        // tag::metrics-options[]
        GuardMetrics.builder()
                .tenants(Set.of("acme", "globex"))          // a tenant tag for these tenants only, the rest "_other"
                .maxTagValues(100)                          // models, agents, rules kept each; the rest "_other"
                .bind(guard, registry);
        // end::metrics-options[]
    }

    /** Reads the pages of a site, for the per-unit tool price snippet. */
    interface Crawler {
        List<String> read(String url);
    }

    /** A tool priced per page, for the per-unit tool price snippet. */
    static final class ScrapeTools {
        private final Crawler crawler;

        ScrapeTools(Crawler crawler) {
            this.crawler = crawler;
        }

        // tag::tool-units[]
        @Tool("Reads the pages of a site")
        String scrapePages(String url) {
            List<String> pages = crawler.read(url);
            ToolUnits.report(pages.size());                   // charged $0.001 per page read, not the 50 held
            return String.join("\n", pages);
        }
        // end::tool-units[]
    }
}

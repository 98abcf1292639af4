package dev.agentguard.policy;

import dev.agentguard.core.common.Money;
import dev.agentguard.core.Budget;
import dev.agentguard.core.Caps;
import dev.agentguard.core.GuardConfig;
import dev.agentguard.core.HealthRules;
import dev.agentguard.core.telemetry.TelemetryConfig;
import dev.agentguard.core.TokenCounting;
import dev.agentguard.core.window.WindowSpec;
import dev.agentguard.core.LoopRules;
import dev.agentguard.core.common.Mode;
import dev.agentguard.core.OnCancel;
import dev.agentguard.core.UnknownModelPolicy;
import dev.agentguard.core.ledger.OnFull;
import dev.agentguard.core.pricing.ModelPrice;
import dev.agentguard.core.pricing.PriceCatalog;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.UnaryOperator;

/**
 * Binds the settings of one policy (a file, or an agent with what it inherits) to the core builders.
 *
 * <p>Each section is converted by {@link Values} and handed to its core builder, whose {@code build()} does the
 * validation; this class only adds where each problem is. The {@link GuardConfig} is then assembled step by step
 * (the base settings, then the ladder, the health rules, and each budget in turn) so that every cross-section
 * problem is reported against the part that causes it, rather than only the first one the builder meets. Two
 * checks are the YAML layer's own, because they need the price catalog, which the core builders do not consult: a
 * ladder model without a price under {@code unknownModel: block}, and an {@code assume:} model without one.
 */
final class PolicyBinder {

    private static final Map<String, Mode> MODES = ids(Mode.values(), Mode::id);
    private static final Map<String, Caps.PromptAction> PROMPT_ACTIONS = ids(Caps.PromptAction.values(),
            a -> a.name().toLowerCase(Locale.ROOT));
    private static final Map<String, LoopRules.OnLoop> ON_LOOP = ids(LoopRules.OnLoop.values(),
            a -> a.name().toLowerCase(Locale.ROOT));
    private static final Map<String, TokenCounting> ESTIMATORS = ids(TokenCounting.values(), TokenCounting::id);
    private static final Map<String, String> THEN = Map.of("downgrade", "downgrade");
    private static final Map<String, Caps.OnCap> ON_CAP = ids(Caps.OnCap.values(), Caps.OnCap::id);
    private static final Map<String, Caps.OnCap> MODEL_ON_CAP = ids(new Caps.OnCap[] {Caps.OnCap.BLOCK,
            Caps.OnCap.FINAL_ANSWER}, Caps.OnCap::id);
    private static final Map<String, OnCancel> ON_CANCEL = ids(OnCancel.values(), OnCancel::id);
    private static final Map<String, OnFull> ON_FULL = ids(OnFull.values(), OnFull::id);
    private static final Map<String, String> CATALOG_FORMATS = ids(new String[] {"genai-prices", "litellm"}, s -> s);

    /** @return each value by its policy word */
    static <T> Map<String, T> ids(T[] values, java.util.function.Function<T, String> id) {
        Map<String, T> m = new LinkedHashMap<>();
        for (T v : values) {
            m.put(id.apply(v), v);
        }
        return m;
    }

    /** The result: the core configuration and the audit settings (null when the policy has none). */
    record Bound(GuardConfig config, AuditSettings audit, LedgerSettings ledger) {
    }

    private final Problems problems;
    private final Path baseDir;
    private final java.util.function.Function<String, String> env;

    /**
     * @param problems where problems go
     * @param baseDir the directory that relative {@code priceCatalog.file} paths start from
     * @param env the environment the policy is read with (the audit section checks its key variable there)
     */
    PolicyBinder(Problems problems, Path baseDir, java.util.function.Function<String, String> env) {
        this.problems = problems;
        this.baseDir = baseDir;
        this.env = env;
    }

    /**
     * @param root the settings, inheritance already applied and {@code version}, {@code extends} and {@code agents}
     *     taken out
     * @param defaultName the name when the settings set none (the agent's or the file's)
     * @return the bound policy, or null when there were problems (reported)
     */
    Bound bind(Node.MapNode root, String defaultName) {
        int before = problems.size();
        Section s = Section.of(root, PolicyKeys.ROOT, problems);
        GuardConfig.Builder b = GuardConfig.builder();
        String name = s.value("name", Values::text);
        s.apply(() -> b.name(name != null ? name : defaultName));
        s.set("mode", n -> Values.choice(n, MODES), b::mode);
        s.set("unknownModel", PolicyBinder::unknownModel, b::unknownModel);
        s.set("defaultMaxOutputTokens", n -> Values.wholeNumber(n, "tokens"), b::defaultMaxOutputTokens);
        Map<String, ModelPrice> prices = pricing(s.get("pricing"), b);
        tools(s.get("tools"), b);
        PriceCatalog catalog = s.value("priceCatalog", this::priceCatalog);
        if (catalog != null) {
            b.priceCatalog(catalog);
        }
        List<String> ladder = null;
        Node models = s.get("models");
        if (models != null) {
            Section ms = Section.of(models, "models", problems);
            if (ms != null) {
                ladder = ms.value("ladder", n -> Values.list(n, Values::text, problems));
            }
        }
        s.set("caps", this::caps, b::caps);
        s.set("loops", this::loops, b::loops);
        HealthRules health = s.value("health", this::health);
        s.set("telemetry", this::telemetry, b::telemetry);
        Node streaming = s.get("streaming");
        if (streaming != null) {
            Section ss = Section.of(streaming, "streaming", problems);
            if (ss != null) {
                ss.set("onCancel", v -> Values.choice(v, ON_CANCEL), b::onCancel);
            }
        }
        Node reservations = s.get("reservations");
        if (reservations != null) {
            Section rs = Section.of(reservations, "reservations", problems);
            if (rs != null) {
                rs.set("lease", Values::duration, lease -> b.reservationLease(lease));
            }
        }
        s.set("tokens", this::tokens, b::tokenCounting);
        List<Map.Entry<Budget, Node>> budgets = new BudgetBinder(problems).budgets(s.get("budgets"));
        AuditSettings audit = s.value("audit", a -> new AuditBinder(problems, env).bind(a));
        LedgerSettings ledger = s.value("ledger", this::ledger);

        GuardConfig config = s.build(b::build);
        if (config == null) {
            return null;
        }
        if (ladder != null) {
            List<String> l = ladder;
            config = extend(config, models, c -> c.ladder(l));
        }
        if (health != null) {
            config = extend(config, root, c -> c.health(health));
        }
        for (Map.Entry<Budget, Node> budget : budgets) {
            config = extend(config, budget.getValue(), c -> c.budget(budget.getKey()));
        }
        checkPrices(s, config, prices, ladder);
        if (problems.size() > before) {
            return null;
        }
        return new Bound(config, audit, ledger);
    }

    /**
     * @return the configuration with one more part, or {@code base} when the builder refuses it (reported at the
     *     key of {@code within} that its message names)
     */
    private GuardConfig extend(GuardConfig base, Node within, UnaryOperator<GuardConfig.Builder> change) {
        try {
            return change.apply(base.toBuilder()).build();
        } catch (IllegalArgumentException e) {
            Section.report(within, e.getMessage(), problems);
            return base;
        }
    }

    // ---- top-level values

    private static final Map<String, String> ON_UNAVAILABLE = ids(new String[] {"failClosed", "failOpen", "local"},
            v -> v);

    /** The {@code ledger} section: one shared ledger, its settings checked here, built by its module. */
    private LedgerSettings ledger(Node n) {
        Section ls = Section.of(n, "ledger", problems);
        if (ls == null) {
            return null;
        }
        Node redis = ls.require("redis");
        if (redis == null) {
            return null;
        }
        Section rs = Section.of(redis, "ledger.redis", problems);
        if (rs == null) {
            return null;
        }
        int before = problems.size();
        Map<String, String> settings = new LinkedHashMap<>();
        Node uriNode = rs.require("uri");
        String uri = uriNode == null ? null : rs.value("uri", Values::text);
        if (uri != null) {
            if (uri.isBlank()) {
                problems.add(uriNode, "expected a Redis URI like redis://host:6379, got an empty text (is the"
                        + " environment variable set?)");
            } else if (!uri.matches("(?i)rediss?(-sentinel)?(\\+[a-z]+)?://.*|(?i)redis-socket://.*")) {
                problems.add(uriNode, "expected a Redis URI (redis://, rediss:// for TLS, redis-sentinel://),"
                        + " got a text that starts otherwise");
            } else {
                settings.put("uri", uri);
            }
        }
        String prefix = rs.value("keyPrefix", Values::text);
        if (prefix != null) {
            settings.put("keyPrefix", prefix);
        }
        Duration timeout = rs.value("timeout", Values::duration);
        if (timeout != null) {
            if (timeout.isZero() || timeout.isNegative() || timeout.compareTo(Duration.ofMinutes(1)) > 0) {
                problems.add(rs.get("timeout"), "expected a timeout above 0 and at most 1m, got " + timeout);
            } else {
                settings.put("timeout", timeout.toString());
            }
        }
        String onUnavailable = rs.value("onUnavailable", v -> Values.choice(v, ON_UNAVAILABLE));
        if (onUnavailable != null) {
            settings.put("onUnavailable", onUnavailable);
        }
        Integer share = rs.value("localShare", Values::percent);
        if (share != null) {
            if (share < 1 || share > 100) {
                problems.add(rs.get("localShare"), "expected a share from 1% to 100%, got " + share + "%");
            } else {
                settings.put("localShare", Integer.toString(share));
            }
        }
        if (problems.size() > before) {
            return null;
        }
        Mark at = redis.mark();
        return new LedgerSettings("redis", settings, at.source() + ":" + at.line() + ":" + at.column() + " "
                + redis.path());
    }

    private static UnknownModelPolicy unknownModel(Node n) throws BadValue {
        String text = Values.text(n).trim();
        if (text.equals("block")) {
            return UnknownModelPolicy.block();
        }
        if (text.equals("warn")) {
            return UnknownModelPolicy.warn();
        }
        if (text.startsWith("assume:")) {
            try {
                return UnknownModelPolicy.assume(text.substring("assume:".length()));
            } catch (IllegalArgumentException e) {
                throw new BadValue(n, e.getMessage());
            }
        }
        String hint = Suggestions.closest(text, List.of("block", "warn", "assume:"));
        throw new BadValue(n, "expected block | warn | assume:<model>, got " + n.describe()
                + (hint == null ? "" : "; did you mean " + hint + "?"));
    }

    private Map<String, ModelPrice> pricing(Node pricing, GuardConfig.Builder b) {
        Map<String, ModelPrice> prices = new LinkedHashMap<>();
        if (pricing == null) {
            return prices;
        }
        if (!(pricing instanceof Node.MapNode)) {
            problems.add(pricing, "expected a mapping of model name to prices, got " + pricing.describe());
            return prices;
        }
        for (Node.Entry e : ((Node.MapNode) pricing).entries().values()) {
            Section ps = Section.of(e.value(), "pricing.*", problems);
            if (ps == null) {
                continue;
            }
            ModelPrice.Builder mb = ModelPrice.builder();
            rate(ps, "input", mb::input);
            rate(ps, "output", mb::output);
            rate(ps, "cacheRead", mb::cacheRead);
            rate(ps, "cacheWrite", mb::cacheWrite);
            rate(ps, "reasoning", mb::reasoning);
            ModelPrice price = ps.build(mb::build);
            if (price != null && ps.apply(() -> b.price(e.key(), price))) {
                prices.put(e.key(), price);
            }
        }
        return prices;
    }

    /** Binds {@code tools}: a tool's price per call, counted by cost budgets. */
    private void tools(Node tools, GuardConfig.Builder b) {
        if (tools == null) {
            return;
        }
        if (!(tools instanceof Node.MapNode)) {
            problems.add(tools, "expected a mapping of tool name to its price, such as { search_web: { costUsd: 0.01 } },"
                    + " got " + tools.describe());
            return;
        }
        for (Node.Entry e : ((Node.MapNode) tools).entries().values()) {
            Section ts = Section.of(e.value(), "tools.*", problems);
            if (ts == null) {
                continue;
            }
            ts.require("costUsd");
            Long maxUnits = ts.value("maxUnits", v -> Values.wholeNumber(v, "units"));
            // with maxUnits, costUsd is the price of one unit the tool reports, and maxUnits are reserved per call
            ts.set("costUsd", v -> {
                try {
                    return Money.usd(Values.decimal(v, maxUnits == null ? "US dollars per call"
                            : "US dollars per unit"));
                } catch (IllegalArgumentException ex) {
                    throw new BadValue(v, ex.getMessage());
                }
            }, price -> {
                if (maxUnits == null) {
                    b.toolPrice(e.key(), price);
                } else {
                    b.toolPrice(e.key(), price, maxUnits);
                }
            });
        }
    }

    private static void rate(Section ps, String key, java.util.function.Function<BigDecimal, ModelPrice.Builder> set) {
        ps.set(key, n -> Values.decimal(n, "USD per million tokens"), set::apply);
    }

    private PriceCatalog priceCatalog(Node n) throws BadValue {
        Section s = Section.of(n, "priceCatalog", problems);
        if (s == null) {
            return null;
        }
        String file = s.value("file", Values::text);
        String format = s.value("format", f -> Values.choice(f, CATALOG_FORMATS));
        Node fileNode = s.require("file");
        Node formatNode = s.require("format");
        if (fileNode == null || formatNode == null || file == null || format == null) {
            return null;
        }
        Node at = s.get("file");
        Path path;
        try {
            path = baseDir == null ? Path.of(file) : baseDir.resolve(file);
        } catch (InvalidPathException e) {
            throw new BadValue(at, "not a valid path: " + e.getMessage());
        }
        try {
            return format.equals("litellm") ? PriceCatalog.fromLiteLlm(path) : PriceCatalog.fromGenaiPrices(path);
        } catch (UncheckedIOException e) {
            throw new BadValue(at, "cannot read the price catalog " + path + ": " + e.getCause().getMessage());
        } catch (RuntimeException e) {
            throw new BadValue(at, "not a valid " + format + " price file: " + e.getMessage());
        }
    }

    // ---- caps, loops, health, audit

    private Caps caps(Node n) {
        Section s = Section.of(n, "caps", problems);
        if (s == null) {
            return null;
        }
        Caps.Builder b = Caps.builder();
        s.set("modelCallsPerSession", v -> Values.positiveCount(v, "calls"), b::modelCallsPerSession);
        s.set("modelCallsPerTurn", v -> Values.positiveCount(v, "calls"), b::modelCallsPerTurn);
        s.set("toolCallsPerSession", v -> Values.positiveCount(v, "calls"), b::toolCallsPerSession);
        s.set("toolCallsPerTurn", v -> Values.positiveCount(v, "calls"), b::toolCallsPerTurn);
        Node perTool = s.get("perTool");
        if (perTool instanceof Node.MapNode) {
            for (Node.Entry e : ((Node.MapNode) perTool).entries().values()) {
                if (e.value() instanceof Node.MapNode) { // { max: 10, onExceed: finalAnswer }
                    Section ts = Section.of(e.value(), "caps.perTool.*", problems);
                    if (ts != null && ts.require("max") != null) {
                        Integer max = ts.value("max", v -> Values.positiveCount(v, "calls"));
                        Caps.OnCap on = ts.value("onExceed", v -> Values.choice(v, ON_CAP));
                        if (max != null && (on != null || ts.get("onExceed") == null)) {
                            ts.apply(() -> b.perTool(e.key(), max, on != null ? on : Caps.OnCap.FEEDBACK));
                        }
                    }
                    continue;
                }
                try {
                    int cap = Values.positiveCount(e.value(), "calls");
                    s.apply(() -> b.perTool(e.key(), cap));
                } catch (BadValue bad) {
                    problems.add(bad.at(), bad.getMessage());
                }
            }
        } else if (perTool != null) {
            problems.add(perTool, "expected a mapping of tool name to calls per session, got " + perTool.describe());
        }
        s.set("modelCallsOnExceed", v -> Values.choice(v, MODEL_ON_CAP), b::modelCallsOnExceed);
        Node prompt = s.get("promptTokens");
        if (prompt != null) {
            Section ps = Section.of(prompt, "caps.promptTokens", problems);
            if (ps != null && ps.require("max") != null) {
                Integer max = ps.value("max", v -> Values.positiveCount(v, "tokens"));
                Caps.PromptAction action = ps.value("onExceed", v -> Values.choice(v, PROMPT_ACTIONS));
                if (max != null && (action != null || ps.get("onExceed") == null)) {
                    ps.apply(() -> b.promptTokens(max, action != null ? action : Caps.PromptAction.TRUNCATE));
                }
            }
        }
        return s.build(b::build);
    }

    private LoopRules loops(Node n) {
        Section s = Section.of(n, "loops", problems);
        if (s == null) {
            return null;
        }
        LoopRules.Builder b = LoopRules.builder();
        threshold(s, "identicalToolCalls", LoopRules.Builder::identicalToolCalls, b);
        threshold(s, "alternatingToolCalls", LoopRules.Builder::alternatingToolCalls, b);
        threshold(s, "repeatedToolError", LoopRules.Builder::repeatedToolError, b);
        threshold(s, "repeatedModelRequest", LoopRules.Builder::repeatedModelRequest, b);
        s.set("onLoop", v -> Values.choice(v, ON_LOOP), b::onLoop);
        List<String> exempt = s.value("exempt", v -> Values.list(v, Values::text, problems));
        if (exempt != null) {
            s.apply(() -> b.exempt(exempt.toArray(new String[0])));
        }
        return s.build(b::build);
    }

    private void threshold(Section loops, String pattern, BiConsumer<LoopRules.Builder, LoopRules.Threshold> set,
            LoopRules.Builder b) {
        Node n = loops.get(pattern);
        if (n == null) {
            return;
        }
        Section s = Section.of(n, "loops." + pattern, problems);
        if (s == null) {
            return;
        }
        Integer warnAt = s.value("warnAt", v -> Values.positiveCount(v, "repetitions"));
        Integer blockAt = s.value("blockAt", v -> Values.positiveCount(v, "repetitions"));
        if ((warnAt == null && s.get("warnAt") != null) || (blockAt == null && s.get("blockAt") != null)) {
            return;
        }
        LoopRules.Threshold t = s.build(() -> LoopRules.Threshold.of(warnAt == null ? 0 : warnAt,
                blockAt == null ? 0 : blockAt));
        if (t != null) {
            set.accept(b, t);
        }
    }

    private TelemetryConfig telemetry(Node n) {
        Section s = Section.of(n, "telemetry", problems);
        if (s == null) {
            return null;
        }
        TelemetryConfig.Builder b = TelemetryConfig.builder();
        // a sliding telemetry window keeps the default's 10 buckets, not a budget's 60: every tracked session
        // holds one, so six times the buckets would be six times the memory
        s.set("window", v -> new BudgetBinder(problems).window(v, "telemetry.window"), w -> b.window(w.isCalendar()
                ? w : WindowSpec.sliding(w.length(), TelemetryConfig.DEFAULT_WINDOW.buckets())));
        s.set("maxSessions", v -> Values.wholeNumber(v, "sessions"), b::maxSessions);
        s.set("sessionIdleExpiry", Values::duration, b::sessionIdleExpiry);
        s.set("latencySamples", v -> Values.positiveCount(v, "samples"), b::latencySamples);
        s.set("onFull", v -> Values.choice(v, ON_FULL), b::onFull);
        return s.build(b::build);
    }

    private TokenCounting tokens(Node n) {
        Section s = Section.of(n, "tokens", problems);
        return s == null ? null : s.value("estimator", v -> Values.choice(v, ESTIMATORS));
    }

    private HealthRules health(Node n) {
        Section s = Section.of(n, "health", problems);
        if (s == null) {
            return null;
        }
        HealthRules.Builder b = HealthRules.builder();
        Node latency = s.get("latency");
        if (latency != null) {
            Section ls = Section.of(latency, "health.latency", problems);
            if (ls != null) {
                ls.require("p90Above");
                Duration p90 = ls.value("p90Above", Values::duration);
                Integer over = ls.value("overCalls", v -> Values.positiveCount(v, "calls"));
                ls.value("then", v -> Values.choice(v, THEN));
                if (p90 != null) {
                    ls.apply(() -> b.latency(p90, over != null ? over : HealthRules.NONE.latencyOverCalls()));
                }
            }
        }
        Node errors = s.get("errors");
        if (errors != null) {
            Section es = Section.of(errors, "health.errors", problems);
            if (es != null) {
                es.require("rateAbove");
                Integer rate = es.value("rateAbove", Values::percent);
                Integer over = es.value("overCalls", v -> Values.positiveCount(v, "calls"));
                es.value("then", v -> Values.choice(v, THEN));
                if (rate != null) {
                    es.apply(() -> b.errors(rate, over != null ? over : HealthRules.NONE.errorOverCalls()));
                }
                es.set("cooldown", Values::duration, b::cooldown);
            }
        }
        s.set("probeCalls", v -> Values.positiveCount(v, "calls"), b::probeCalls);
        return s.build(b::build);
    }

    // ---- checks that need the price catalog

    private void checkPrices(Section s, GuardConfig config, Map<String, ModelPrice> prices, List<String> ladder) {
        PriceCatalog catalog;
        try {
            PriceCatalog base = config.priceCatalog() != null ? config.priceCatalog() : PriceCatalog.bundled();
            catalog = prices.isEmpty() ? base : base.withOverrides(prices);
        } catch (IllegalArgumentException e) {
            Section.report(s.get("pricing"), e.getMessage(), problems);
            return;
        }
        UnknownModelPolicy unknown = config.unknownModel();
        if (unknown.kind() == UnknownModelPolicy.Kind.ASSUME
                && catalog.find(null, unknown.assumedModel()).isEmpty()) {
            problems.add(s.get("unknownModel"), "the assumed model " + unknown.assumedModel() + " has no price"
                    + " either (" + catalog.source() + "); price it under pricing: or assume a model the catalog"
                    + " knows");
        }
        if (unknown.kind() == UnknownModelPolicy.Kind.BLOCK && ladder != null) {
            Node.ListNode items = (Node.ListNode) ((Node.MapNode) s.get("models")).get("ladder");
            for (int i = 0; i < ladder.size() && i < items.items().size(); i++) {
                String model = ladder.get(i);
                if (catalog.find(null, model).isEmpty()) {
                    problems.add(items.items().get(i), model + " has no price (" + catalog.source() + ") and"
                            + " unknownModel is block, so every call to it would be refused: price it under"
                            + " pricing:, or set unknownModel to warn or assume:<model>");
                }
            }
        }
    }
}

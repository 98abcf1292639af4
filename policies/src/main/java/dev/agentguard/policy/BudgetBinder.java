package dev.agentguard.policy;

import dev.agentguard.core.Budget;
import dev.agentguard.core.Limit;
import dev.agentguard.core.common.CallKind;
import dev.agentguard.core.common.Glob;
import dev.agentguard.core.common.Money;
import dev.agentguard.core.OnExceed;
import dev.agentguard.core.common.Scope;
import dev.agentguard.core.window.CalendarPeriod;
import dev.agentguard.core.window.WindowSpec;
import java.math.BigDecimal;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Binds the {@code budgets} list: each item to a {@link Budget} through its builder, with the window (sliding or
 * calendar), the one limit, the warning and downgrade shares and the response past the limit. A budget with a
 * problem is reported and left out, so that the others are still checked.
 */
final class BudgetBinder {

    private static final Map<String, Scope> SCOPES = PolicyBinder.ids(Scope.values(), Scope::id);
    private static final Map<String, CalendarPeriod> PERIODS = PolicyBinder.ids(CalendarPeriod.values(),
            p -> p.name().toLowerCase(Locale.ROOT));

    private final Problems problems;

    BudgetBinder(Problems problems) {
        this.problems = problems;
    }

    /**
     * @param n the {@code budgets} value, or null
     * @return each budget that built, with the node it came from (for problems that involve other sections)
     */
    List<Map.Entry<Budget, Node>> budgets(Node n) {
        List<Map.Entry<Budget, Node>> out = new ArrayList<>();
        if (n == null) {
            return out;
        }
        if (!(n instanceof Node.ListNode)) {
            problems.add(n, "expected a list of budgets (each starting with - id: ...), got " + n.describe());
            return out;
        }
        for (Node item : ((Node.ListNode) n).items()) {
            Budget budget = budget(item);
            if (budget != null) {
                out.add(Map.entry(budget, item));
            }
        }
        return out;
    }

    private Budget budget(Node n) {
        Section s = Section.of(n, "budgets[]", problems);
        if (s == null) {
            return null;
        }
        int before = problems.size();
        s.require("id");
        String id = s.value("id", Values::text);
        Budget.Builder b = Budget.builder(id);
        s.require("scope");
        s.set("scope", v -> Values.choice(v, SCOPES), b::scope);
        s.require("window");
        s.set("window", this::window, b::window);
        String unit = null;
        if (s.require("limit") != null) {
            unit = limit(s.get("limit"), b);
        }
        Node overrides = s.get("overrides");
        if (overrides != null && unit != null) {
            overrides(overrides, unit, b);
        }
        Node match = s.get("match");
        if (match != null) {
            Section ms = Section.of(match, "budgets[].match", problems);
            if (ms != null) {
                ms.set("model", BudgetBinder::pattern, b::matchModel);
                ms.set("provider", BudgetBinder::name, b::matchProvider);
                ms.set("tool", BudgetBinder::pattern, b::matchTool);
            }
        }
        s.set("kinds", BudgetBinder::kinds, b::kinds);
        s.set("warnAt", BudgetBinder::warnAt, b::warnAt);
        s.set("downgradeAt", Values::percent, b::downgradeAt);
        s.set("onExceed", BudgetBinder::onExceed, b::onExceed);
        if (problems.size() > before) {
            return null; // build() would only repeat a missing key
        }
        return s.build(b::build);
    }

    private WindowSpec window(Node n) throws BadValue {
        return window(n, "budgets[].window");
    }

    /**
     * @param n a window value: a duration, or {@code {calendar, zone}}
     * @param section the section name of its mapping form, for the keys it may have
     * @return the window, or null when a problem was reported
     * @throws BadValue if the value is neither form
     */
    WindowSpec window(Node n, String section) throws BadValue {
        if (n instanceof Node.MapNode) {
            Section s = Section.of(n, section, problems);
            CalendarPeriod period = s.value("calendar", v -> Values.choice(v, PERIODS));
            s.require("calendar");
            ZoneId zone = s.value("zone", BudgetBinder::zone);
            if (period == null || (s.get("zone") != null && zone == null)) {
                return null;
            }
            return WindowSpec.calendar(period, zone == null ? ZoneOffset.UTC : zone);
        }
        if (!(n instanceof Node.ScalarNode)) {
            throw new BadValue(n, "expected a duration like 10m or PT10M, or {calendar: day | week | month, zone: ...},"
                    + " got " + n.describe());
        }
        Duration d = Values.duration(n);
        try {
            return WindowSpec.sliding(d);
        } catch (IllegalArgumentException e) {
            throw new BadValue(n, e.getMessage());
        }
    }

    private static ZoneId zone(Node n) throws BadValue {
        String text = Values.text(n).trim();
        try {
            return ZoneId.of(text);
        } catch (DateTimeException e) {
            throw new BadValue(n, "unknown time zone " + n.describe() + "; expected a region such as Europe/Paris,"
                    + " or UTC, or an offset such as +02:00");
        }
    }

    /** @return the key of the limit's unit ({@code costUsd}, {@code tokens}, {@code calls}), or null when bad */
    private String limit(Node n, Budget.Builder b) {
        Section s = Section.of(n, "budgets[].limit", problems);
        if (s == null) {
            return null;
        }
        List<String> set = new ArrayList<>();
        for (String k : PolicyKeys.of("budgets[].limit")) {
            if (s.get(k) != null) {
                set.add(k);
            }
        }
        if (set.size() != 1) {
            problems.add(n, set.isEmpty() ? "limit needs one of costUsd, tokens or calls"
                    : "limit takes exactly one of costUsd, tokens or calls, got " + String.join(" and ", set)
                            + " (use one budget per unit)");
            return null;
        }
        switch (set.get(0)) {
            case "costUsd":
                s.set("costUsd", BudgetBinder::usd, b::limitUsd);
                break;
            case "tokens":
                s.set("tokens", v -> Values.wholeNumber(v, "tokens"), b::limitTokens);
                break;
            default:
                s.set("calls", v -> Values.wholeNumber(v, "calls"), b::limitCalls);
                break;
        }
        return set.get(0);
    }

    private static Money usd(Node v) throws BadValue {
        BigDecimal usd = Values.decimal(v, "US dollars");
        try {
            return Money.usd(usd);
        } catch (IllegalArgumentException e) {
            throw new BadValue(v, e.getMessage());
        }
    }

    /**
     * Binds {@code overrides}: scope key or pattern to a limit in the budget's unit.
     *
     * @param unit the key of the budget's limit ({@code costUsd}, {@code tokens} or {@code calls})
     */
    private void overrides(Node n, String unit, Budget.Builder b) {
        if (!(n instanceof Node.MapNode)) {
            problems.add(n, "expected a mapping of scope key or key pattern to a limit, such as"
                    + " { acme: { " + unit + ": 500 }, \"trial-*\": { " + unit + ": 5 } }, got " + n.describe());
            return;
        }
        for (Node.Entry e : ((Node.MapNode) n).entries().values()) {
            String key = e.key();
            if (key.isBlank()) {
                problems.add(e.value(), "an override's key must name a scope key or a pattern such as trial-*");
                continue;
            }
            if (Glob.isPattern(key)) {
                try {
                    Glob.compile(key);
                } catch (IllegalArgumentException ex) {
                    problems.add(e.value(), ex.getMessage());
                    continue;
                }
            }
            Section os = Section.of(e.value(), "budgets[].overrides.*", problems);
            if (os == null) {
                continue;
            }
            List<String> set = new ArrayList<>();
            for (String k : PolicyKeys.of("budgets[].overrides.*")) {
                if (os.get(k) != null) {
                    set.add(k);
                }
            }
            if (set.size() != 1) {
                problems.add(e.value(), set.isEmpty() ? "an override needs a limit in the budget's unit: { " + unit
                        + ": ... }" : "an override takes exactly one of costUsd, tokens or calls, got "
                        + String.join(" and ", set));
                continue;
            }
            if (!set.get(0).equals(unit)) {
                problems.add(os.get(set.get(0)), "the override for " + key + " is in " + set.get(0)
                        + " but the budget's limit is in " + unit + ": an override must use the budget's unit");
                continue;
            }
            Limit limit = os.value(unit, v -> overrideLimit(v, unit));
            if (limit != null) {
                os.apply(() -> b.override(key, limit));
            }
        }
    }

    private static Limit overrideLimit(Node v, String unit) throws BadValue {
        try {
            switch (unit) {
                case "costUsd":
                    return Limit.usd(usd(v));
                case "tokens":
                    return Limit.tokens(Values.wholeNumber(v, "tokens"));
                default:
                    return Limit.calls(Values.wholeNumber(v, "calls"));
            }
        } catch (IllegalArgumentException e) {
            throw new BadValue(v, e.getMessage());
        }
    }

    private static String name(Node n) throws BadValue {
        String text = Values.text(n).trim();
        if (text.isEmpty()) {
            throw new BadValue(n, "expected a name, got an empty text");
        }
        return text;
    }

    private static String pattern(Node n) throws BadValue {
        String text = name(n);
        try {
            Glob.compile(text);
        } catch (IllegalArgumentException e) {
            throw new BadValue(n, e.getMessage());
        }
        return text;
    }

    private static final Map<String, CallKind> KINDS = Map.of("model", CallKind.MODEL_CALL, "tool",
            CallKind.TOOL_CALL);

    private static CallKind[] kinds(Node n) throws BadValue {
        if (n instanceof Node.ScalarNode) {
            return new CallKind[] {Values.choice(n, KINDS)}; // kinds: tool for a single kind
        }
        if (!(n instanceof Node.ListNode)) {
            throw new BadValue(n, "expected a list of call kinds such as [model, tool], got " + n.describe());
        }
        List<Node> items = ((Node.ListNode) n).items();
        if (items.isEmpty()) {
            throw new BadValue(n, "expected model, tool or both, got an empty list");
        }
        List<CallKind> out = new ArrayList<>();
        for (Node item : items) {
            CallKind k = Values.choice(item, KINDS);
            if (out.contains(k)) {
                throw new BadValue(item, "kinds lists " + Values.text(item).trim() + " twice");
            }
            out.add(k);
        }
        return out.toArray(new CallKind[0]);
    }

    private static int[] warnAt(Node n) throws BadValue {
        if (n instanceof Node.ScalarNode) {
            return new int[] {Values.percent(n)}; // warnAt: 80% for a single share
        }
        if (!(n instanceof Node.ListNode)) {
            throw new BadValue(n, "expected a list of percentages such as [50%, 80%], got " + n.describe());
        }
        List<Node> items = ((Node.ListNode) n).items();
        int[] out = new int[items.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = Values.percent(items.get(i));
        }
        return out;
    }

    private static OnExceed onExceed(Node n) throws BadValue {
        String text = Values.text(n).trim();
        if (text.equals("block")) {
            return OnExceed.block();
        }
        if (text.equals("warn")) {
            return OnExceed.warn();
        }
        if (text.startsWith("suspend:")) {
            Node.ScalarNode d = new Node.ScalarNode(n.mark(), n.path(), Node.Kind.STRING,
                    text.substring("suspend:".length()).trim(), null);
            try {
                return OnExceed.suspend(Values.duration(d));
            } catch (BadValue e) {
                throw new BadValue(n, "expected suspend:<duration> such as suspend:10m, got " + n.describe());
            } catch (IllegalArgumentException e) {
                throw new BadValue(n, e.getMessage());
            }
        }
        String hint = Suggestions.closest(text, List.of("block", "warn", "suspend:"));
        throw new BadValue(n, "expected block | warn | suspend:<duration>, got " + n.describe()
                + (hint == null ? "" : "; did you mean " + hint + "?"));
    }
}

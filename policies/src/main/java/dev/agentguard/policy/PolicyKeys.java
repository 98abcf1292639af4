package dev.agentguard.policy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every key of policy format v1, by section. The binder reads exactly these keys (and reports any other as
 * unknown); a test checks that the JSON Schema declares exactly the same ones and that {@code reference.yaml}
 * mentions each.
 *
 * <p>Section names are key paths with {@code []} for "every item of the list" and {@code *} for "every value of the
 * map": {@code budgets[].limit}, {@code pricing.*}. An agent section ({@code agents.*}) holds the same settings as
 * a file, so its sub-sections are those of the file ({@code agents.*.caps} is {@code caps}).
 */
final class PolicyKeys {

    private PolicyKeys() {
    }

    /** The file's root. */
    static final String ROOT = "";
    /** One agent of {@code agents:}. */
    static final String AGENT = "agents.*";

    /** The settings that a policy file, a base file and an agent section share. */
    static final List<String> SETTINGS = List.of("name", "mode", "unknownModel", "defaultMaxOutputTokens",
            "pricing", "priceCatalog", "models", "budgets", "tools", "caps", "loops", "health", "telemetry",
            "streaming", "reservations", "tokens", "audit", "ledger");

    /** The loop patterns, each a {@code {warnAt, blockAt}} section under {@code loops}. */
    static final List<String> LOOP_PATTERNS = List.of("identicalToolCalls", "alternatingToolCalls",
            "repeatedToolError", "repeatedModelRequest");

    /** Section name to its keys, in the order the reference documents them. */
    static final Map<String, List<String>> SECTIONS = sections();

    private static Map<String, List<String>> sections() {
        Map<String, List<String>> m = new LinkedHashMap<>();
        List<String> root = new ArrayList<>(List.of("version", "extends"));
        root.addAll(SETTINGS);
        root.add("agents");
        m.put(ROOT, List.copyOf(root));
        List<String> agent = new ArrayList<>(List.of("extends"));
        agent.addAll(SETTINGS);
        m.put(AGENT, List.copyOf(agent));
        m.put("pricing.*", List.of("input", "output", "cacheRead", "cacheWrite", "reasoning"));
        m.put("priceCatalog", List.of("file", "format"));
        m.put("models", List.of("ladder"));
        m.put("budgets[]", List.of("id", "scope", "window", "limit", "overrides", "match", "kinds", "warnAt",
                "downgradeAt", "onExceed"));
        m.put("budgets[].window", List.of("calendar", "zone"));
        m.put("budgets[].limit", List.of("costUsd", "tokens", "calls"));
        m.put("budgets[].overrides.*", List.of("costUsd", "tokens", "calls"));
        m.put("budgets[].match", List.of("model", "provider", "tool"));
        m.put("tools.*", List.of("costUsd", "maxUnits"));
        m.put("caps", List.of("modelCallsPerSession", "modelCallsPerTurn", "modelCallsOnExceed", "toolCallsPerSession",
                "toolCallsPerTurn", "perTool", "promptTokens"));
        m.put("caps.perTool.*", List.of("max", "onExceed"));
        m.put("caps.promptTokens", List.of("max", "onExceed"));
        List<String> loops = new ArrayList<>(LOOP_PATTERNS);
        loops.addAll(List.of("onLoop", "exempt"));
        m.put("loops", List.copyOf(loops));
        for (String pattern : LOOP_PATTERNS) {
            m.put("loops." + pattern, List.of("warnAt", "blockAt"));
        }
        m.put("health", List.of("latency", "errors", "probeCalls"));
        m.put("health.latency", List.of("p90Above", "overCalls", "then"));
        m.put("health.errors", List.of("rateAbove", "overCalls", "then", "cooldown"));
        m.put("telemetry", List.of("window", "maxSessions", "sessionIdleExpiry", "latencySamples", "onFull"));
        m.put("streaming", List.of("onCancel"));
        m.put("reservations", List.of("lease"));
        m.put("telemetry.window", List.of("calendar", "zone"));
        m.put("tokens", List.of("estimator"));
        m.put("audit", List.of("file", "redact", "redactPatterns", "hmacKeyEnv", "rotate", "queue", "flushEvery",
                "checkpoint"));
        m.put("ledger", List.of("redis"));
        m.put("ledger.redis", List.of("uri", "keyPrefix", "timeout", "onUnavailable", "localShare"));
        m.put("audit.rotate", List.of("maxSize", "daily"));
        m.put("audit.queue", List.of("size", "onFull", "maxWait"));
        m.put("audit.checkpoint", List.of("records", "every"));
        return Collections.unmodifiableMap(m);
    }

    /**
     * @param section a section name
     * @return its keys
     * @throws IllegalArgumentException for a section that does not exist (a bug in the binder)
     */
    static List<String> of(String section) {
        List<String> keys = SECTIONS.get(section);
        if (keys == null) {
            throw new IllegalArgumentException("no section " + section);
        }
        return keys;
    }

    /**
     * @param key an unknown key
     * @return the sections that do have it, e.g. {@code [models]} for {@code ladder}
     */
    static List<String> sectionsWith(String key) {
        List<String> found = new ArrayList<>();
        SECTIONS.forEach((section, keys) -> {
            if (keys.contains(key) && !section.equals(AGENT)) {
                found.add(section.isEmpty() ? "the top level" : section);
            }
        });
        return found;
    }
}

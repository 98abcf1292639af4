package dev.agentguard.policy;

import java.util.Map;
import java.util.Objects;

/**
 * A policy's {@code ledger} section: which shared ledger holds the budgets ({@link #id()}, e.g. {@code redis}) and
 * its settings as validated. {@link Policies#build} finds the ledger's module on the class path
 * ({@link dev.agentguard.core.ledger.LedgerProvider}) and says what is missing when it is not there.
 *
 * <pre>
 * ledger:
 *   redis: { uri: "${REDIS_URL}", keyPrefix: "agentguard:", timeout: 50ms, onUnavailable: failClosed }
 * </pre>
 */
public final class LedgerSettings {

    private final String id;
    private final Map<String, String> settings;
    private final String location;

    LedgerSettings(String id, Map<String, String> settings, String location) {
        this.id = Objects.requireNonNull(id, "id");
        this.settings = Map.copyOf(settings);
        this.location = Objects.requireNonNull(location, "location");
    }

    /** @return the ledger's key under {@code ledger:}, e.g. {@code redis} */
    public String id() {
        return id;
    }

    /**
     * @return the settings by key, durations in ISO-8601 ({@code PT0.05S}), percentages as whole numbers; the
     *     {@code uri} as written after environment substitution (it may hold a password: do not log it)
     */
    public Map<String, String> settings() {
        return settings;
    }

    /** @return where the section is, {@code file:line:column ledger.redis}, for messages */
    public String location() {
        return location;
    }

    @Override
    public String toString() {
        return "LedgerSettings{" + id + " at " + location + '}';
    }
}

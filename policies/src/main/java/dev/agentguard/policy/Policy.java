package dev.agentguard.policy;

import dev.agentguard.core.Guard;
import dev.agentguard.core.GuardConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A policy file (or one agent of it) read and validated, not yet running: the {@link GuardConfig} built by the
 * core builders, plus what the core configuration does not hold (the {@code audit} section) and where it came from.
 * Immutable. Use {@link #config()} with {@link Guard#builder(GuardConfig)} to choose the guard's clocks, ledger and
 * listeners, or {@link Policies#load(Path)} for a guard with the defaults.
 */
public final class Policy {

    private final GuardConfig config;
    private final AuditSettings audit;
    private final LedgerSettings ledger;
    private final String source;
    private final List<Path> files;

    Policy(GuardConfig config, AuditSettings audit, LedgerSettings ledger, String source, List<Path> files) {
        this.config = Objects.requireNonNull(config, "config");
        this.audit = audit;
        this.ledger = ledger;
        this.source = Objects.requireNonNull(source, "source");
        this.files = List.copyOf(files);
    }

    /** @return the policy name (the agent's name for an agent section), as {@code guard} in decisions */
    public String name() {
        return config.name();
    }

    /** @return the validated core configuration */
    public GuardConfig config() {
        return config;
    }

    /** @return the audit settings, when the policy has an {@code audit} section */
    public Optional<AuditSettings> audit() {
        return Optional.ofNullable(audit);
    }

    /** @return the shared ledger the budgets live in, when the policy has a {@code ledger} section */
    public Optional<LedgerSettings> ledger() {
        return Optional.ofNullable(ledger);
    }

    /** @return the file or stream name the policy was read from */
    public String source() {
        return source;
    }

    /**
     * @return every file the policy was assembled from, the policy's own first, then those it {@code extends};
     *     empty for a policy read from a stream without {@code extends}. A watcher reloads when any of them changes.
     */
    public List<Path> files() {
        return files;
    }

    @Override
    public String toString() {
        return "Policy{" + config.name() + " from " + source + '}';
    }
}

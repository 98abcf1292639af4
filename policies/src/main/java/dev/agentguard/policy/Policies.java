package dev.agentguard.policy;

import dev.agentguard.core.common.Action;
import dev.agentguard.core.DecisionEvent;
import dev.agentguard.core.DecisionListener;
import dev.agentguard.core.Guard;
import dev.agentguard.core.audit.AuditConfig;
import dev.agentguard.core.audit.AuditSink;
import dev.agentguard.core.ledger.BudgetLedger;
import dev.agentguard.core.ledger.LedgerProvider;
import dev.agentguard.core.log.DecisionLog;
import dev.agentguard.core.redact.Redactor;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * Guards declared in YAML: the entry points of the policy layer.
 *
 * <pre>
 * Guard guard = Policies.load(Path.of("policies/support-bot.yaml"));
 * </pre>
 *
 * <p>{@code load} returns a ready {@link Guard} with the system clocks and an in-memory ledger, the SLF4J decision
 * log ({@code agentguard.decision}) and, when the policy has an {@code audit} section, the JSONL audit sink (the
 * guard closes it on {@link Guard#close()}); {@code parse}
 * returns the validated {@link Policy} without building anything (to choose the guard's collaborators with
 * {@link Guard#builder}, or for tools that only check a file). {@code ${NAME}} and {@code ${NAME:-default}} in
 * values are substituted from the process environment; use a {@link PolicyReader} for another source. The keys are
 * documented in {@code policies/reference.yaml} and described by {@code policies/agent-guard-policy.schema.json}.
 *
 * <p>A policy that cannot be loaded throws {@link PolicyException}, and nothing else, whatever the input; its
 * message lists every problem with its file, line, column and key path.
 */
public final class Policies {

    /** The bundled presets, usable as {@code extends: preset:<name>} or through {@link #preset(String)}. */
    public static final List<String> PRESETS = List.of("starter", "strict-cost", "loop-guard");

    private Policies() {
    }

    /**
     * @param file a single-agent policy file
     * @return a guard running it
     * @throws PolicyException if the policy cannot be loaded
     * @throws IllegalStateException if its audit file is held by another guard ({@link #build})
     */
    public static Guard load(Path file) {
        return build(parse(file));
    }

    /**
     * @param in a single-agent policy, read but not closed
     * @param sourceName the name that problems carry, e.g. {@code support.yaml}
     * @return a guard running it
     * @throws PolicyException if the policy cannot be loaded
     */
    public static Guard load(InputStream in, String sourceName) {
        return build(parse(in, sourceName));
    }

    /**
     * @param file a file with {@code agents:}
     * @param agent one of its agents
     * @return a guard running that agent's policy
     * @throws PolicyException if the policy cannot be loaded or has no such agent
     */
    public static Guard load(Path file, String agent) {
        return build(PolicyReader.systemEnvironment().parse(file, agent));
    }

    /**
     * @param fileOrDirectory a file with {@code agents:}, or a directory of policy files
     * @return a guard per agent, by name, in declaration order
     * @throws PolicyException if any of the policies cannot be loaded (then no guard is built)
     */
    public static Map<String, Guard> loadAgents(Path fileOrDirectory) {
        Map<String, Guard> guards = new LinkedHashMap<>();
        parseAgents(fileOrDirectory).asMap().forEach((name, p) -> guards.put(name, build(p)));
        return guards;
    }

    /**
     * Builds the guard of a policy with its decision log and, when the policy asks for one, its audit sink. The
     * audit file redacts what the policy's {@code audit.redact} says (every class unless it says {@code none});
     * the decision log always redacts every class, and the policy's {@code redactPatterns} too.
     *
     * @param policy a validated policy
     * @return a guard running it
     * @throws IllegalStateException if the audit file cannot be opened now: another guard, in this JVM or another,
     *     holds it (the file's problems that a policy can have are reported when it is parsed); or if the policy's
     *     {@code ledger} section names a ledger whose module is not on the class path (the message names it)
     */
    public static Guard build(Policy policy) {
        return builder(policy).build();
    }

    /**
     * The guard builder that {@link #build(Policy)} uses, with the policy's audit file and the decision log wired,
     * for the collaborators a file cannot give: a {@link dev.agentguard.core.LimitResolver} (plan tiers from a
     * database), a ledger, clocks, more listeners.
     *
     * @param policy a validated policy
     * @return a builder whose {@code build()} runs the policy
     * @throws IllegalStateException if the audit file cannot be opened now (see {@link #build(Policy)})
     */
    public static Guard.Builder builder(Policy policy) {
        Guard.Builder builder = Guard.builder(policy.config());
        BudgetLedger ledger = ledger(policy).orElse(null);
        if (ledger != null) {
            builder.ledger(ledger);
            if (ledger instanceof AutoCloseable) {
                builder.listener(new ClosesLedger((AutoCloseable) ledger)); // the guard closes its listeners
            }
        }
        Redactor.Builder logRedactor = Redactor.builder(); // the decision log redacts every class, always
        if (policy.audit().isPresent()) {
            AuditConfig audit = policy.audit().get().config();
            audit.redactPatterns().forEach(logRedactor::pattern);
            builder.listener(AuditSink.open(audit));
        }
        Redactor redactor = logRedactor.build();
        builder.adminRedactor(redactor); // what an operator sees of reasons is redacted as the log is
        return builder.listener(new DecisionLog(redactor));
    }

    /**
     * The shared ledger a policy's {@code ledger} section asks for, built by the module that provides it (found with
     * {@link ServiceLoader}), as {@link #builder(Policy)} builds it: for tools that check a setup without running a
     * guard (the CLI's {@code doctor}). The caller closes it when it is {@link AutoCloseable}.
     *
     * @param policy a validated policy
     * @return the ledger; empty when the policy has no {@code ledger} section (budgets stay in the process)
     * @throws IllegalStateException if the ledger's module is not on the class path (the message names it)
     * @throws IllegalArgumentException if the module rejects a setting (the message names it)
     */
    public static Optional<BudgetLedger> ledger(Policy policy) {
        return policy.ledger().map(l -> ledger(policy, l));
    }

    private static BudgetLedger ledger(Policy policy, LedgerSettings settings) {
        for (LedgerProvider provider : ServiceLoader.load(LedgerProvider.class, Policies.class.getClassLoader())) {
            if (provider.id().equals(settings.id())) {
                return provider.create(policy.name(), settings.settings(), policy.config().reservationLease());
            }
        }
        throw new IllegalStateException(settings.location() + ": the policy keeps its budgets in " + settings.id()
                + ", but no " + settings.id() + " ledger is on the class path: add the dependency"
                + " dev.agentguard:agent-guard-" + settings.id() + " (or remove the ledger section to keep budgets"
                + " in this process)");
    }

    /** Closes a ledger with the guard: a decision listener only for its {@code close()}. */
    private static final class ClosesLedger implements DecisionListener, AutoCloseable {
        private final AutoCloseable ledger;

        ClosesLedger(AutoCloseable ledger) {
            this.ledger = ledger;
        }

        @Override
        public void onDecision(DecisionEvent event) {
        }

        @Override
        public boolean wants(Action action) {
            return false; // it reads no event: the guard need not build one for it
        }

        @Override
        public void close() throws Exception {
            ledger.close();
        }
    }

    /**
     * @param file a single-agent policy file
     * @return the validated policy
     * @throws PolicyException if the policy cannot be loaded
     */
    public static Policy parse(Path file) {
        return PolicyReader.systemEnvironment().parse(file);
    }

    /**
     * @param in a single-agent policy, read but not closed
     * @param sourceName the name that problems carry
     * @return the validated policy
     * @throws PolicyException if the policy cannot be loaded
     */
    public static Policy parse(InputStream in, String sourceName) {
        return PolicyReader.systemEnvironment().parse(in, sourceName);
    }

    /**
     * @param fileOrDirectory a file with {@code agents:}, or a directory of policy files
     * @return every agent's validated policy
     * @throws PolicyException if any of the policies cannot be loaded
     */
    public static PolicySet parseAgents(Path fileOrDirectory) {
        return PolicyReader.systemEnvironment().parseAgents(fileOrDirectory);
    }

    /**
     * Reads a bundled preset ({@code policies/presets/<name>.yaml} in the source tree).
     *
     * @param name one of {@link #PRESETS}
     * @return the validated preset
     * @throws IllegalArgumentException if there is no such preset
     * @throws PolicyException if the preset does not load (a bug: every preset is tested)
     */
    public static Policy preset(String name) {
        if (!PRESETS.contains(name)) {
            throw new IllegalArgumentException("no preset '" + name + "'; the presets are " + PRESETS);
        }
        try (InputStream in = Policies.class.getResourceAsStream(PolicyComposer.PRESET_RESOURCES + name + ".yaml")) {
            if (in == null) {
                throw new IllegalStateException("preset " + name + " is missing from the jar");
            }
            return PolicyReader.systemEnvironment().parse(in, PolicyComposer.PRESET + name);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

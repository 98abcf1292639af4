package dev.agentguard.cli;

import dev.agentguard.core.Guard;
import dev.agentguard.core.GuardConfig;
import dev.agentguard.core.UnknownModelPolicy;
import dev.agentguard.core.audit.AuditConfig;
import dev.agentguard.core.audit.AuditFiles;
import dev.agentguard.core.audit.AuditSink;
import dev.agentguard.core.audit.AuditVerifier;
import dev.agentguard.core.audit.DecisionRecord;
import dev.agentguard.core.audit.VerificationResult;
import dev.agentguard.core.ledger.BudgetLedger;
import dev.agentguard.core.pricing.ModelPrice;
import dev.agentguard.core.pricing.PriceCatalog;
import dev.agentguard.core.pricing.PricedModel;
import dev.agentguard.core.pricing.TokenKind;
import dev.agentguard.policy.LedgerSettings;
import dev.agentguard.policy.Policies;
import dev.agentguard.policy.Policy;
import dev.agentguard.policy.PolicyException;
import dev.agentguard.redis.RedisBudgetLedger;
import dev.agentguard.redis.RedisUris;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code agent-guard doctor}: checks a policy and what it relies on (prices, the audit file, the decision log's
 * configuration) and says, for each problem, how to fix it.
 */
@Command(name = "doctor", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Checks a policy and its setup: the policy is valid; every model it names (ladder,"
                + " unknownModel: assume, --model) has a price; a shared ledger (Redis) answers; the audit file's directory is writable, its lock free"
                + " and its chain intact; the agentguard.decision logger is enabled in the logging configuration.",
                "Each problem comes with a fix."},
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {"0:no problem found (notes may be printed)", "1:problems found (errors or warnings)",
                "2:bad usage"})
final class DoctorCommand implements Callable<Integer> {

    @ParentCommand
    private RootCommand cli;

    @Spec
    private CommandSpec spec;

    @Option(names = {"-p", "--policy"}, paramLabel = "FILE", description = "the policy file to check")
    private Path policyFile;

    @Option(names = "--model", paramLabel = "NAME", description = "a model the application calls, priced too"
            + " (repeatable)")
    private List<String> models = new ArrayList<>();

    @Option(names = "--audit", paramLabel = "FILE", description = "the audit file to check (default: the policy's"
            + " audit.file)")
    private Path auditFile;

    @Option(names = "--logging", paramLabel = "FILE", description = "the logging configuration (logback.xml,"
            + " log4j2.xml, application.properties; default: looked for in --project)")
    private Path logging;

    @Option(names = "--project", paramLabel = "DIR", defaultValue = ".", description = "where the application's"
            + " configuration is looked for: DIR, DIR/src/main/resources, DIR/config (default: ${DEFAULT-VALUE})")
    private Path project;

    /** How bad a finding is. */
    enum Level {
        OK, NOTE, WARN, ERROR
    }

    /** One thing found; problems (warn, error) have a fix. */
    record Finding(Level level, String area, String message, String fix) {
    }

    private final List<Finding> findings = new ArrayList<>();

    private void add(Level level, String area, String message, String fix) {
        findings.add(new Finding(level, area, message, fix));
    }

    @Override
    public Integer call() {
        Policy policy = policyFile == null ? null : checkPolicy();
        if (policy != null || !models.isEmpty()) {
            checkPrices(policy);
        }
        checkLedger(policy);
        checkAudit(policy);
        checkLogging();
        return print();
    }

    // ------------------------------------------------------------------------------------------------ policy

    private Policy checkPolicy() {
        if (!Files.isRegularFile(policyFile)) {
            throw new UncheckedIOException(new java.nio.file.NoSuchFileException(policyFile.toString()));
        }
        try {
            Policy p = Policies.parse(policyFile);
            GuardConfig c = p.config();
            add(Level.OK, "policy", policyFile + " is valid: guard " + c.name() + ", mode " + c.mode().id() + ", "
                    + c.budgets().size() + (c.budgets().size() == 1 ? " budget" : " budgets"), null);
            if (c.mode() == dev.agentguard.core.common.Mode.SHADOW) {
                add(Level.NOTE, "policy", "mode: shadow: decisions are recorded, but no call is refused or changed",
                        "set mode: enforce once the audit shows the decisions you expect");
            }
            return p;
        } catch (PolicyException e) {
            add(Level.ERROR, "policy", e.getMessage(), "correct each key named above (file:line:column key.path);"
                    + " policies/reference.yaml lists every key with its default");
            return null;
        }
    }

    // ------------------------------------------------------------------------------------------------ ledger

    /**
     * A policy with a {@code ledger} section keeps its budgets in a shared store: its module must be on the class
     * path, its settings valid, and the store must answer now, else (under {@code failClosed}) every call is refused.
     */
    private void checkLedger(Policy policy) {
        if (policy == null || policy.ledger().isEmpty()) {
            return; // budgets in the process: nothing to reach
        }
        LedgerSettings settings = policy.ledger().get();
        String where = settings.location();
        BudgetLedger ledger;
        try {
            ledger = Policies.ledger(policy).orElseThrow();
        } catch (IllegalStateException | IllegalArgumentException e) {
            add(Level.ERROR, "ledger", e.getMessage(), "correct the setting named above, or add the ledger's module;"
                    + " policies/reference.yaml lists the ledger keys");
            return;
        }
        String uri = RedisUris.withoutCredentials(settings.settings().getOrDefault("uri", "?"));
        try {
            long open = ledger.openHolds(); // a round trip to the store
            if (ledger instanceof RedisBudgetLedger redis && !redis.isAvailable()) {
                String onUnavailable = settings.settings().getOrDefault("onUnavailable", "failClosed");
                add(Level.ERROR, "ledger", "Redis at " + uri + " (" + where + ") does not answer; under onUnavailable: "
                        + onUnavailable + (onUnavailable.equals("failClosed") ? " every call would be refused"
                                : " the budgets would not be shared"),
                        "start Redis or correct ledger." + settings.id() + ".uri (and REDIS_URL if the policy reads"
                                + " it); a slow server may need a longer timeout");
                return;
            }
            add(Level.OK, "ledger", settings.id() + " at " + uri + " answers: " + open
                    + (open == 1 ? " reservation" : " reservations") + " open across the fleet", null);
        } finally {
            if (ledger instanceof AutoCloseable closeable) {
                try {
                    closeable.close();
                } catch (Exception e) {
                    // the check is done; a store that fails to close changes nothing it found
                }
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ prices

    private void checkPrices(Policy policy) {
        GuardConfig config = policy == null ? GuardConfig.builder().name("doctor").build() : policy.config();
        Set<String> named = new LinkedHashSet<>(config.ladder());
        UnknownModelPolicy unknown = config.unknownModel();
        if (unknown.kind() == UnknownModelPolicy.Kind.ASSUME) {
            named.add(unknown.assumedModel());
        }
        named.addAll(models);
        if (named.isEmpty()) {
            add(Level.NOTE, "prices", "the policy names no model (no ladder)", "give each model the application calls"
                    + " with --model NAME, so that its price is checked");
            return;
        }
        PriceCatalog catalog;
        try (Guard guard = Guard.of(config)) {
            catalog = guard.priceCatalog();
        }
        String where = policyFile == null ? "the policy" : policyFile.getFileName().toString();
        for (String model : named) {
            Optional<PricedModel> priced = catalog.find(null, model);
            if (priced.isPresent()) {
                ModelPrice price = priced.get().priceAt(0);
                add(Level.OK, "prices", model + ": $" + rate(price, TokenKind.INPUT) + " input, $"
                        + rate(price, TokenKind.OUTPUT) + " output per million tokens (" + priced.get().source() + ")",
                        null);
                continue;
            }
            String fix = "price it under pricing: in " + where + ", in USD per million tokens, e.g. " + model
                    + ": { input: 0.50, output: 1.50 }; or load a newer genai-prices or LiteLLM price file";
            switch (unknown.kind()) {
                case BLOCK -> add(Level.ERROR, "prices", model + " is not in the price catalog, and unknownModel:"
                        + " block refuses every call to it", fix);
                case WARN -> add(Level.WARN, "prices", model + " is not in the price catalog: its calls are allowed"
                        + " and recorded priced: false, and cost budgets cannot count them", fix);
                case ASSUME -> add(model.equals(unknown.assumedModel()) ? Level.ERROR : Level.WARN, "prices",
                        model.equals(unknown.assumedModel()) ? model + " is the unknownModel: assume model, but it"
                                + " has no price itself, so unknown models cannot be priced"
                                : model + " is not in the price catalog: it is priced as " + unknown.assumedModel()
                                        + " (unknownModel: assume)", fix);
                default -> throw new IllegalStateException(unknown.kind().name());
            }
        }
    }

    private static String rate(ModelPrice price, TokenKind kind) {
        return price.usdPerMtok(kind, 0).stripTrailingZeros().toPlainString();
    }

    // ------------------------------------------------------------------------------------------------ audit

    private void checkAudit(Policy policy) {
        AuditConfig config = policy != null && policy.audit().isPresent() ? policy.audit().get().config() : null;
        Path file = auditFile != null ? auditFile : config == null ? null : config.file();
        if (file == null) {
            if (policy != null) {
                add(Level.NOTE, "audit", "the policy writes no audit file: decisions are only logged",
                        "add audit: { file: logs/agent-guard-audit.jsonl } for a tamper-evident record");
            }
            return;
        }
        Path dir = file.toAbsolutePath().getParent();
        if (!Files.isDirectory(dir)) {
            Path existing = dir;
            while (existing != null && !Files.exists(existing)) {
                existing = existing.getParent();
            }
            if (existing != null && Files.isDirectory(existing) && writable(existing)) {
                add(Level.NOTE, "audit", "directory " + dir + " does not exist yet; the guard creates it", null);
            } else {
                add(Level.ERROR, "audit", "directory " + dir + " does not exist and cannot be created", "create it"
                        + " for the user the application runs as, or point audit.file elsewhere");
            }
            return;
        }
        if (!writable(dir)) {
            add(Level.ERROR, "audit", "directory " + dir + " is not writable", "give the user the application runs as"
                    + " write access to it (chown/chmod), or point audit.file elsewhere");
            return;
        }
        add(Level.OK, "audit", "directory " + dir + " is writable", null);
        Optional<String> notAudit = AuditSink.checkFile(file);
        if (notAudit.isPresent()) {
            add(Level.ERROR, "audit", file + " " + notAudit.get(), "point audit.file at a new file, or move this one"
                    + " away");
            return;
        }
        Boolean held = lockHeld(file);
        boolean live = Boolean.TRUE.equals(held);
        if (held == null) {
            add(Level.WARN, "audit", "the lock " + file.getFileName() + ".lock cannot be opened here, so whether a"
                    + " guard is writing the file is unknown", "run doctor as the user the application runs as");
        } else if (live) {
            add(Level.WARN, "audit", "the lock " + file.getFileName() + ".lock is held: a guard is writing this file"
                    + " now, and a second one would fail to start", "if no guard should be running, stop the process"
                    + " that holds it; give each process its own audit file");
        } else {
            add(Level.OK, "audit", "lock free: no process is writing " + file.getFileName(), null);
        }
        if (AuditFiles.set(file).isEmpty()) {
            add(Level.NOTE, "audit", file + " has no records yet", null);
            return;
        }
        AuditVerifier.Builder verifier = AuditVerifier.builder().allowUnsealedTail(live);
        String keyEnv = config == null ? null : config.hmacKeyEnv();
        if (keyEnv != null) {
            String key = cli.environment().apply(keyEnv);
            if (key == null || key.isEmpty()) {
                add(Level.WARN, "audit", "the chain is keyed, but " + keyEnv + " is not set here: it cannot be checked",
                        "export " + keyEnv + " in this shell and run doctor again");
                return;
            }
            verifier.key(key.getBytes(StandardCharsets.UTF_8));
        }
        VerificationResult r = verifier.build().verify(file);
        if (r.ok()) {
            add(Level.OK, "audit", "chain intact: " + r.records() + " records in " + r.files().size()
                    + (r.files().size() == 1 ? " file" : " files") + " (" + r.algorithm() + ")", null);
        } else {
            add(Level.ERROR, "audit", "chain broken: " + r, "run agent-guard verify " + file + " for details; keep"
                    + " the set as evidence and move it away, so that the guard starts a new chain");
        }
    }

    private static boolean writable(Path dir) {
        try {
            Path probe = Files.createTempFile(dir, ".agent-guard-doctor", ".tmp");
            Files.delete(probe);
            return true;
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return false;
        }
    }

    /** @return true if another process (or this one) holds the sink's lock on the file; null if it cannot tell */
    private static Boolean lockHeld(Path file) {
        Path lock = file.resolveSibling(file.getFileName() + ".lock");
        if (!Files.exists(lock)) {
            return false;
        }
        try (FileChannel ch = FileChannel.open(lock, StandardOpenOption.WRITE)) {
            FileLock l = ch.tryLock();
            if (l == null) {
                return true;
            }
            l.release();
            return false;
        } catch (OverlappingFileLockException e) {
            return true;
        } catch (IOException | SecurityException e) {
            return null;
        }
    }

    // ------------------------------------------------------------------------------------------------ logging

    private void checkLogging() {
        String logger = DecisionRecord.DECISION_LOGGER;
        Optional<Path> file = logging != null ? Optional.of(logging) : LoggingConfig.find(project);
        if (file.isEmpty()) {
            add(Level.WARN, "logging", "no logging configuration found in " + project.toAbsolutePath().normalize()
                    + " (" + String.join(", ", LoggingConfig.NAMES) + ")", "give it with --logging FILE, and make sure"
                    + " it enables <logger name=\"" + logger + "\" level=\"INFO\"/>");
            return;
        }
        if (!Files.isRegularFile(file.get())) {
            throw new UncheckedIOException(new java.nio.file.NoSuchFileException(file.get().toString()));
        }
        LoggingConfig.Level level;
        try {
            level = LoggingConfig.levelOf(file.get(), logger);
        } catch (IOException e) {
            add(Level.ERROR, "logging", e.getMessage(), "fix the file so that the logging backend can read it");
            return;
        }
        String where = file.get() + " " + level.from();
        String enable = "set <logger name=\"" + logger + "\" level=\"INFO\"/> (or logging.level." + logger
                + "=INFO)";
        if (level.noAppender()) {
            add(Level.ERROR, "logging", where + " has additivity=\"false\" and no appender: decisions go nowhere",
                    "add an <appender-ref> to it, or remove additivity=\"false\"");
            return;
        }
        String l = level.level();
        if (l == null) {
            add(Level.WARN, "logging", where + " sets no level for " + logger + ": the backend's default applies",
                    enable);
            return;
        }
        switch (l) {
            case "ALL", "TRACE", "DEBUG" -> add(Level.NOTE, "logging", logger + " is at " + l + " (" + where + "):"
                    + " every allowed call is logged too, one line per call", "set INFO to log only what the guard"
                    + " changed or refused");
            case "INFO" -> add(Level.OK, "logging", logger + " is at INFO (" + where + "): warnings, downgrades,"
                    + " truncations, refusals and audit checkpoints are logged", null);
            case "WARN", "WARNING" -> add(Level.WARN, "logging", logger + " is at WARN (" + where + "): only blocks"
                    + " and suspensions are logged; warnings, downgrades, truncations, feedback and the audit"
                    + " checkpoints (INFO) are not", enable);
            case "ERROR", "FATAL", "OFF" -> add(Level.ERROR, "logging", logger + " is at " + l + " (" + where
                    + "): no decision is logged, not even blocks", enable);
            default -> add(Level.WARN, "logging", logger + " has level " + l + " (" + where + "), which doctor"
                    + " cannot evaluate (a variable?)", enable);
        }
    }

    // ------------------------------------------------------------------------------------------------ output

    private int print() {
        PrintWriter out = spec.commandLine().getOut();
        out.println("agent-guard doctor");
        int errors = 0;
        int warnings = 0;
        for (Finding f : findings) {
            out.printf(Locale.ROOT, "%-8s %-6s %s%n", f.area(), f.level() == Level.OK ? "ok" : f.level().name(),
                    f.message().replace("\n", "\n                "));
            if (f.fix() != null && f.level() != Level.OK) {
                out.println("                fix: " + f.fix());
            }
            if (f.level() == Level.ERROR) {
                errors++;
            } else if (f.level() == Level.WARN) {
                warnings++;
            }
        }
        if (errors + warnings == 0) {
            out.println("no problem found");
            return AgentGuardCli.OK;
        }
        out.println((errors + warnings) + (errors + warnings == 1 ? " problem" : " problems") + " (" + errors
                + (errors == 1 ? " error, " : " errors, ") + warnings + (warnings == 1 ? " warning)" : " warnings)"));
        return AgentGuardCli.FINDINGS;
    }
}

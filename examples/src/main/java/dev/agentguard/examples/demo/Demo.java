package dev.agentguard.examples.demo;

import dev.agentguard.core.Guard;
import dev.agentguard.core.GuardConfig;
import dev.agentguard.core.UnknownModelPolicy;
import dev.agentguard.core.audit.AuditConfig;
import dev.agentguard.core.audit.AuditSink;
import dev.agentguard.core.audit.AuditVerifier;
import dev.agentguard.core.audit.VerificationResult;
import dev.agentguard.core.log.DecisionLog;
import dev.agentguard.policy.Policies;
import dev.agentguard.policy.Policy;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The demo: five runaway-agent scenarios against the guard, on the embedded OpenAI-compatible simulator (or a
 * real endpoint when {@code OPENAI_API_KEY} is set), then a summary per session read back from the audit file,
 * whose hash chain it verifies.
 *
 * <p>Run it with {@code ./mvnw -q -Pdemo -pl examples -am verify} (see the README). Arguments:
 * {@code --out DIR}, where the audit file goes (default {@code target/demo}). With {@code -Ddemo.fleet=N}, it runs
 * the fleet mode instead: N JVMs that share one budget in Redis ({@link Fleet}). With
 * {@code OTEL_EXPORTER_OTLP_ENDPOINT} set, every guarded call is also exported as an OpenTelemetry span there
 * ({@link Traces}).
 */
public final class Demo {

    /** The policy the demo runs, on the classpath (examples/src/main/resources). */
    static final String POLICY = "policies/demo.yaml";

    /** What a run produced, for the demo's own test. */
    static final class Result {
        final Path auditFile;
        final VerificationResult verification;
        final Scenarios.Shared shared;
        final boolean redacted;

        Result(Path auditFile, VerificationResult verification, Scenarios.Shared shared, boolean redacted) {
            this.auditFile = auditFile;
            this.verification = verification;
            this.shared = shared;
            this.redacted = redacted;
        }

        /** @return true if the chain is intact, the shared budget held and no e-mail address reached the file */
        boolean ok() {
            return verification.ok() && shared.spentNanos <= shared.limitNanos && redacted;
        }
    }

    private Demo() {
    }

    /**
     * @param args {@code --out DIR} optionally
     * @throws Exception if the demo cannot run
     */
    public static void main(String[] args) throws Exception {
        Path outDir = args.length == 2 && args[0].equals("--out") ? Path.of(args[1]) : Path.of("target", "demo");
        String fleet = System.getProperty(Fleet.PROPERTY, "");
        if (!fleet.isBlank()) {
            int jvms;
            try {
                jvms = Fleet.jvms(fleet);
            } catch (IllegalArgumentException e) {
                System.err.println(e.getMessage());
                System.exit(2);
                return;
            }
            try {
                System.exit(Fleet.run(jvms, outDir.resolve("fleet"), System.getenv(), System.out).ok() ? 0 : 1);
            } catch (IllegalStateException e) { // no redis-server, a JVM that failed: said in one line
                System.err.println("fleet mode: " + e.getMessage());
                System.exit(1);
            }
        }
        Result result = run(outDir, System.getenv(), System.out);
        System.exit(result.ok() ? 0 : 1);
    }

    static Result run(Path outDir, Map<String, String> env, PrintStream out) throws Exception {
        Path auditFile = freshAuditFile(outDir);
        SimulatedTime time = new SimulatedTime(Clock.systemUTC().instant().truncatedTo(ChronoUnit.SECONDS));
        try (Endpoint endpoint = Endpoint.from(env, time); Traces traces = Traces.from(env)) {
            Policy policy;
            try (InputStream in = Demo.class.getClassLoader().getResourceAsStream(POLICY)) {
                policy = Policies.parse(in, POLICY);
            }
            AuditConfig auditConfig = AuditConfig.builder().file(auditFile).build(); // redacts all four classes
            CallPrinter printer = new CallPrinter(out);
            Guard.Builder builder = Guard.builder(config(policy.config(), endpoint, out))
                    .listener(new DecisionLog(auditConfig.redactor()))
                    .listener(AuditSink.open(auditConfig))
                    .listener(printer);
            if (endpoint.simulator().isPresent()) {
                builder.ticker(time).clock(time);
            }
            Guard guard = builder.build();
            traces.install(guard, out);
            Optional<MetricsEndpoint> metrics = MetricsEndpoint.start(System.getProperty(MetricsEndpoint.PROPERTY),
                    guard);
            try {
                return run(guard, endpoint, time, printer, auditFile, metrics, out);
            } finally {
                metrics.ifPresent(MetricsEndpoint::close);
            }
        }
    }

    private static Result run(Guard guard, Endpoint endpoint, SimulatedTime time, CallPrinter printer, Path auditFile,
            Optional<MetricsEndpoint> metrics, PrintStream out) throws Exception {
        out.println("agent-guard demo: LangChain4j AI services on " + endpoint.describe());
        metrics.ifPresent(m -> out.println("meters at " + m.url() + " while the demo runs"));
        out.println("policy " + POLICY + " (examples/src/main/resources); decisions print as they happen,"
                + " warn and above (logger agentguard.decision).");
        Scenarios.Shared shared;
        try {
            shared = Scenarios.runAll(new Scenarios(guard, endpoint, time, printer, out));
        } finally {
            guard.close(); // drains the audit file
        }

        out.println();
        out.println("=== Summary, read back from the audit file ===");
        AuditSummary.read(auditFile).print(out);
        out.println();
        out.println("Audit file: " + auditFile.toAbsolutePath());
        VerificationResult verification = AuditVerifier.builder().build().verify(auditFile);
        out.println("Hash chain: " + verification);
        String written = Files.readString(auditFile);
        boolean redacted = !written.contains(Scenarios.CUSTOMER_EMAIL);
        out.println("Redaction: the e-mail address of scenario 1 is "
                + (redacted ? "nowhere in the file" : "IN THE FILE")
                + "; it reads [REDACTED:email] " + count(written, "[REDACTED:email]") + " times.");
        out.println("Check it yourself: ./mvnw -q -pl guard-core exec:java"
                + " -Dexec.mainClass=dev.agentguard.core.audit.AuditVerifier -Dexec.args=" + auditFile.toAbsolutePath());
        out.println("Decision lines as JSON: add -Ddemo.logback=logback-json.xml to the demo command.");
        if (metrics.isPresent()) {
            out.println();
            metrics.get().printSummary(out);
        } else {
            out.println("Meters for Prometheus: add -D" + MetricsEndpoint.PROPERTY + "=PORT to the demo command.");
        }
        return new Result(auditFile, verification, shared, redacted);
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + part.length())) {
            n++;
        }
        return n;
    }

    /**
     * In real mode, the ladder is the endpoint's two models, and a model the catalog lacks (a local Ollama model,
     * say) is priced as gpt-4.1-mini: {@code unknownModel: assume} only applies to models without a price.
     */
    private static GuardConfig config(GuardConfig config, Endpoint endpoint, PrintStream out) {
        if (endpoint.simulator().isPresent()) {
            return config;
        }
        out.println("(a model without a price in the catalog is priced as " + Endpoint.CHEAP + ": unknownModel: assume:"
                + Endpoint.CHEAP + ")");
        return config.toBuilder().ladder(List.of(endpoint.primary(), endpoint.cheap()))
                .unknownModel(UnknownModelPolicy.assume(Endpoint.CHEAP)).build();
    }

    /** Each run writes a new audit file, so that the summary is this run's; the chain starts afresh. */
    static Path freshAuditFile(Path outDir) throws IOException {
        Files.createDirectories(outDir);
        try (DirectoryStream<Path> old = Files.newDirectoryStream(outDir, "agent-guard-audit*")) {
            for (Path p : old) {
                Files.delete(p);
            }
        }
        return outDir.resolve("agent-guard-audit.jsonl");
    }
}

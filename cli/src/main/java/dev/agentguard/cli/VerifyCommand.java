package dev.agentguard.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.agentguard.core.audit.AuditVerifier;
import dev.agentguard.core.audit.VerificationResult;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code agent-guard verify}: checks the hash chain of audit sets with {@link AuditVerifier} and names the first
 * line that was edited, deleted, inserted or reordered.
 */
@Command(name = "verify", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Checks the hash chain of audit files and names the first line edited, deleted, inserted or"
                + " reordered.",
                "A FILE is the active audit file of a set: its rotated files and its head (FILE.head) are found"
                + " beside it. A DIR verifies every set in it."},
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {"0:every chain is intact", "1:a chain is broken, or a head or checkpoint is missing",
                "2:bad usage, or a file cannot be read"})
final class VerifyCommand implements Callable<Integer> {

    @ParentCommand
    private RootCommand cli;

    @Spec
    private CommandSpec spec;

    @Parameters(paramLabel = "FILE|DIR", arity = "1..*", description = "audit files or directories of them")
    private List<Path> inputs = new ArrayList<>();

    @Option(names = "--expect", paramLabel = "HASH@COUNT", description = {"a checkpoint from the decision log (rule"
            + " audit.checkpoint): the chain must hold record COUNT with hash HASH; finds an end cut off together"
            + " with its head. Needs exactly one set."})
    private List<String> expect = new ArrayList<>();

    @Option(names = "--key-env", paramLabel = "NAME", description = "the HMAC key the files were written with is in"
            + " environment variable NAME (never on the command line)")
    private String keyEnv;

    @Option(names = "--partial", description = "accept a set whose oldest records were deleted (rotation retention)")
    private boolean partial;

    @Option(names = "--live", description = "accept lines past the head: a file that a running writer appends to")
    private boolean live;

    @Option(names = "--allow-missing-head", description = "accept a set without its head file (its end is then not"
            + " sealed)")
    private boolean allowMissingHead;

    @Option(names = "--chain", description = "the FILEs are one chain, in this order (no head is checked)")
    private boolean chain;

    @Option(names = "--json", description = "print the results as one JSON object")
    private boolean json;

    @Override
    public Integer call() throws IOException {
        AuditVerifier.Builder b = AuditVerifier.builder().allowMissingStart(partial).allowUnsealedTail(live)
                .allowMissingHead(allowMissingHead);
        if (keyEnv != null) {
            String value = cli.environment().apply(keyEnv);
            if (value == null || value.isEmpty()) {
                throw new AgentGuardCli.UsageException("environment variable " + keyEnv + " is not set");
            }
            b.key(value.getBytes(StandardCharsets.UTF_8));
        }
        for (String e : expect) {
            try {
                b.expect(e);
            } catch (IllegalArgumentException ex) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--expect " + e + ": "
                        + ex.getMessage());
            }
        }
        AuditVerifier verifier = b.build();
        List<Outcome> outcomes = new ArrayList<>();
        if (chain) {
            for (Path p : inputs) {
                if (!java.nio.file.Files.isRegularFile(p)) {
                    throw new java.nio.file.NoSuchFileException(p.toString());
                }
            }
            outcomes.add(new Outcome(inputs.get(0), verifier.verifyFiles(inputs)));
        } else {
            List<AuditInputs.AuditSet> sets = AuditInputs.resolve(inputs);
            if (!expect.isEmpty() && sets.size() != 1) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--expect names a record of"
                        + " one chain, but " + sets.size() + " audit sets were given");
            }
            for (AuditInputs.AuditSet s : sets) {
                outcomes.add(new Outcome(s.active(), verifier.verify(s.active())));
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            printJson(out, outcomes);
        } else {
            for (Outcome o : outcomes) {
                if (outcomes.size() > 1) {
                    out.print(o.set() + ": ");
                }
                out.println(o.result());
            }
        }
        return outcomes.stream().allMatch(o -> o.result().ok()) ? AgentGuardCli.OK : AgentGuardCli.FINDINGS;
    }

    private record Outcome(Path set, VerificationResult result) {
    }

    private static void printJson(PrintWriter out, List<Outcome> outcomes) throws IOException {
        try (JsonGenerator g = new JsonFactory().createGenerator(out)) {
            g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            g.useDefaultPrettyPrinter();
            g.writeStartObject();
            g.writeBooleanField("ok", outcomes.stream().allMatch(o -> o.result().ok()));
            g.writeArrayFieldStart("sets");
            for (Outcome o : outcomes) {
                VerificationResult r = o.result();
                g.writeStartObject();
                g.writeStringField("set", o.set().toString());
                g.writeBooleanField("ok", r.ok());
                g.writeNumberField("records", r.records());
                g.writeStringField("algorithm", r.algorithm());
                g.writeArrayFieldStart("files");
                for (Path f : r.files()) {
                    g.writeString(f.toString());
                }
                g.writeEndArray();
                if (!r.ok()) {
                    g.writeStringField("problem", r.problem().name().toLowerCase(java.util.Locale.ROOT));
                    g.writeStringField("file", r.file() == null ? null : r.file().toString());
                    g.writeNumberField("line", r.line());
                    g.writeStringField("message", r.message());
                }
                g.writeArrayFieldStart("notes");
                for (String n : r.notes()) {
                    g.writeString(n);
                }
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        }
        out.println();
    }
}

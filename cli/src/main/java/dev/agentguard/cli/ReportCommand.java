package dev.agentguard.cli;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code agent-guard report}: a review of what audit files record, read in one streaming pass (memory does not
 * grow with the files: see {@link ReportData}).
 */
@Command(name = "report", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Reviews audit files: spend over time by agent and model, decisions by action and rule, the"
                + " costliest sessions, loop incidents, refusals with reasons, latency and TTFT by model.",
                "Reads each file once, in bounded memory. It does not check the hash chain: run verify for that."},
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {"0:report written", "1:report written, but some lines are not decision records",
                "2:bad usage, or a file cannot be read"})
final class ReportCommand implements Callable<Integer> {

    /** Sessions listed as the costliest. */
    static final int TOP_SESSIONS = 20;
    /** Series drawn apart in a chart; the rest are summed as "(other)". */
    static final int TOP_SERIES = 8;

    /** The output formats. */
    enum Format {
        html, md, json
    }

    @Spec
    private CommandSpec spec;

    @Parameters(paramLabel = "FILE|DIR", arity = "1..*", description = "audit files (each with its rotated files)"
            + " or directories of them")
    private List<Path> inputs = new ArrayList<>();

    @Option(names = {"-o", "--out"}, paramLabel = "FILE", description = "write the report to FILE (default: standard"
            + " output); its extension (.html, .md, .json) chooses the format unless --format does")
    private Path out;

    @Option(names = {"-f", "--format"}, paramLabel = "FORMAT", description = "html, md or json (default: from --out,"
            + " else md)")
    private Format format;

    @Override
    public Integer call() throws IOException {
        Format f = format != null ? format : fromExtension(out);
        List<AuditInputs.AuditSet> sets = AuditInputs.resolve(inputs);
        ReportData data = new ReportData();
        AuditReader reader = new AuditReader();
        List<String> names = new ArrayList<>();
        for (AuditInputs.AuditSet s : sets) {
            names.add(s.active().toString());
            reader.read(s.files(), data);
        }
        ReportInputs in = new ReportInputs(names, reader.lines(), reader.bytes(), reader.malformed(),
                reader.firstMalformed());
        if (out == null) {
            PrintWriter w = spec.commandLine().getOut();
            render(f, data, in, w);
            w.flush();
        } else {
            Path target = out.toAbsolutePath();
            Path dir = target.getParent();
            if (dir != null) {
                Files.createDirectories(dir);
            }
            Path tmp = Files.createTempFile(dir, ".agent-guard-report", ".tmp");
            try {
                try (Writer w = new BufferedWriter(Files.newBufferedWriter(tmp, StandardCharsets.UTF_8))) {
                    render(f, data, in, w);
                }
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(tmp);
            }
            spec.commandLine().getOut().println("wrote " + out + " (" + f + ", " + ReportText.count(data.records)
                    + " records from " + ReportText.count(in.lines()) + " lines)");
        }
        if (in.malformed() > 0) {
            spec.commandLine().getErr().println("agent-guard report: " + ReportText.count(in.malformed()) + " lines"
                    + " are not decision records (the first at " + in.firstMalformed() + "); run agent-guard verify");
            return AgentGuardCli.FINDINGS;
        }
        return AgentGuardCli.OK;
    }

    private static void render(Format f, ReportData data, ReportInputs in, Writer w) throws IOException {
        switch (f) {
            case html -> HtmlReport.write(data, in, w);
            case json -> JsonReport.write(data, in, w);
            case md -> MarkdownReport.write(data, in, w);
            default -> throw new IllegalStateException(f.name());
        }
    }

    private Format fromExtension(Path file) {
        if (file == null) {
            return Format.md;
        }
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".html") || name.endsWith(".htm")) {
            return Format.html;
        }
        if (name.endsWith(".json")) {
            return Format.json;
        }
        if (name.endsWith(".md") || name.endsWith(".markdown")) {
            return Format.md;
        }
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--out " + file + ": give --format"
                + " (html, md or json); the extension does not say which");
    }
}

package dev.agentguard.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.agentguard.core.common.Money;
import dev.agentguard.policy.Policies;
import dev.agentguard.policy.Policy;
import dev.agentguard.policy.PolicyException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code agent-guard replay}: what a candidate policy would have decided on recorded calls (see {@link Replayer}).
 */
@Command(name = "replay", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Replays recorded calls under a candidate policy, on recorded time, and reports what would"
                + " have changed: calls refused, allowed, downgraded or truncated, the spend, and for each session the"
                + " first call whose decision differs.",
                "Needs audit records of version 2 (prompt sizes, argument fingerprints); older records replay with"
                + " a prompt of 0 tokens. A call the recording refused but the candidate admits is charged its worst"
                + " case. Calls that raced for one budget may come out in another order (one refused in place of"
                + " another). Each audit set is replayed on a guard of its own."},
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {"0:the candidate decides every call as recorded", "1:some decisions differ",
                "2:bad usage, a policy that does not load, or a file that cannot be read"})
final class ReplayCommand implements Callable<Integer> {

    /** Sessions listed with their first divergence in the text output. */
    static final int TOP_SESSIONS = 20;

    @Spec
    private CommandSpec spec;

    @Parameters(paramLabel = "FILE|DIR", arity = "1..*", description = "audit files or directories of them")
    private List<Path> inputs = new ArrayList<>();

    @Option(names = {"-p", "--policy"}, paramLabel = "FILE", required = true, description = "the candidate policy")
    private Path policyFile;

    @Option(names = "--json", description = "print the result as one JSON object")
    private boolean json;

    @Override
    public Integer call() throws IOException {
        if (!Files.isRegularFile(policyFile)) {
            throw new java.nio.file.NoSuchFileException(policyFile.toString());
        }
        Policy policy;
        try {
            policy = Policies.parse(policyFile);
        } catch (PolicyException e) {
            throw new AgentGuardCli.UsageException("the candidate policy does not load: " + e.getMessage());
        }
        List<AuditInputs.AuditSet> sets = AuditInputs.resolve(inputs);
        List<String> names = new ArrayList<>();
        AuditReader reader = new AuditReader();
        ReplayTally total = new ReplayTally();
        // one guard per set: sets are different processes (or days), whose state would not carry over
        for (AuditInputs.AuditSet s : sets) {
            names.add(s.active().toString());
            Replayer r = new Replayer(policy.config());
            try {
                reader.read(s.files(), r);
            } finally {
                r.finish();
            }
            total.add(r.tally);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            printJson(out, total, names, reader);
        } else {
            printText(out, total, names, reader);
        }
        if (reader.malformed() > 0) {
            spec.commandLine().getErr().println("agent-guard replay: " + reader.malformed() + " lines are not decision"
                    + " records (the first at " + reader.firstMalformed() + "); run agent-guard verify");
        }
        return total.changed() || reader.malformed() > 0 ? AgentGuardCli.FINDINGS : AgentGuardCli.OK;
    }

    private void printText(PrintWriter out, ReplayTally r, List<String> names, AuditReader reader) {
        out.println("replayed " + ReportText.count(r.decisions) + " decisions from " + String.join(", ", names)
                + " under " + policyFile);
        line(out, "unchanged", r.unchanged, "");
        line(out, "refused now (ran before)", r.refusedNow, by(r.refusedNowByRule));
        line(out, "allowed now (refused before)", r.allowedNow, "");
        line(out, "downgraded now", r.downgradedNow, "");
        line(out, "truncated now", r.truncatedNow, "");
        line(out, "other changes", r.otherChanges, "");
        long saved = r.recordedSpendNanos - r.replayedSpendNanos;
        out.println("spend: recorded " + ReportText.usd(r.recordedSpendNanos) + ", under the candidate "
                + ReportText.usd(r.replayedSpendNanos) + (saved >= 0 ? ", saved " + ReportText.usd(saved)
                        : ", " + ReportText.usd(-saved) + " more"));
        if (!r.transitions.isEmpty()) {
            out.println("changes (recorded -> candidate):");
            r.transitions.forEach((t, n) -> out.println("  " + t + "  " + ReportText.count(n)));
        }
        if (!r.firstDivergence.isEmpty()) {
            out.println("first divergence per session:");
            int shown = 0;
            for (Map.Entry<String, ReplayTally.Divergence> e : r.firstDivergence.entrySet()) {
                if (shown++ == TOP_SESSIONS) {
                    out.println("  ... " + (r.firstDivergence.size() - TOP_SESSIONS) + " more sessions (--json lists"
                            + " them all)");
                    break;
                }
                ReplayTally.Divergence d = e.getValue();
                out.println("  " + e.getKey() + "  #" + d.seq() + " " + ReportText.time(d.millis()) + " " + d.subject()
                        + ": " + d.recordedAction() + rule(d.recordedRule()) + " -> " + d.replayedAction()
                        + rule(d.replayedRule()));
            }
        }
        if (r.withoutRecordedUsage > 0) {
            out.println("note: " + r.withoutRecordedUsage + " calls refused in the recording run under the candidate;"
                    + " with no recorded usage, each is charged its worst case");
        }
        if (r.version1 > 0) {
            out.println("note: " + r.version1 + " admissions are version-1 records (no prompt size or argument"
                    + " fingerprint): replayed with a prompt of 0 tokens and redacted arguments");
        }
        if (r.unmatchedSettlements > 0) {
            out.println("note: " + r.unmatchedSettlements + " settlements without their admission in the files");
        }
    }

    private static void line(PrintWriter out, String label, long n, String detail) {
        out.printf(java.util.Locale.ROOT, "  %-30s %s%s%n", label, ReportText.count(n), detail);
    }

    private static String rule(String rule) {
        return rule == null ? "" : " (" + rule + ")";
    }

    private static String by(Map<String, Long> byRule) {
        if (byRule.isEmpty()) {
            return "";
        }
        StringBuilder sb = new StringBuilder("  (");
        byRule.forEach((k, v) -> sb.append(sb.length() > 3 ? ", " : "").append(k).append(' ').append(v));
        return sb.append(')').toString();
    }

    private void printJson(PrintWriter out, ReplayTally r, List<String> names, AuditReader reader) throws IOException {
        try (JsonGenerator g = new JsonFactory().createGenerator(out)) {
            g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            g.useDefaultPrettyPrinter();
            g.writeStartObject();
            g.writeStringField("policy", policyFile.toString());
            g.writeArrayFieldStart("sets");
            for (String n : names) {
                g.writeString(n);
            }
            g.writeEndArray();
            g.writeNumberField("decisions", r.decisions);
            g.writeNumberField("unchanged", r.unchanged);
            g.writeNumberField("refusedNow", r.refusedNow);
            g.writeNumberField("allowedNow", r.allowedNow);
            g.writeNumberField("downgradedNow", r.downgradedNow);
            g.writeNumberField("truncatedNow", r.truncatedNow);
            g.writeNumberField("otherChanges", r.otherChanges);
            g.writeObjectFieldStart("refusedNowByRule");
            for (Map.Entry<String, Long> e : r.refusedNowByRule.entrySet()) {
                g.writeNumberField(e.getKey(), e.getValue());
            }
            g.writeEndObject();
            g.writeObjectFieldStart("transitions");
            for (Map.Entry<String, Long> e : r.transitions.entrySet()) {
                g.writeNumberField(e.getKey(), e.getValue());
            }
            g.writeEndObject();
            g.writeStringField("recordedSpendUsd", Money.format(r.recordedSpendNanos));
            g.writeStringField("replayedSpendUsd", Money.format(r.replayedSpendNanos));
            g.writeStringField("savedUsd", Money.format(r.recordedSpendNanos - r.replayedSpendNanos));
            g.writeNumberField("chargedWorstCase", r.withoutRecordedUsage);
            g.writeNumberField("version1Records", r.version1);
            g.writeNumberField("unmatchedSettlements", r.unmatchedSettlements);
            g.writeNumberField("unreadableLines", reader.malformed());
            g.writeArrayFieldStart("firstDivergence");
            for (Map.Entry<String, ReplayTally.Divergence> e : r.firstDivergence.entrySet()) {
                ReplayTally.Divergence d = e.getValue();
                g.writeStartObject();
                g.writeStringField("session", e.getKey());
                g.writeNumberField("seq", d.seq());
                g.writeStringField("ts", ReportText.iso(d.millis()));
                g.writeStringField("call", d.subject());
                g.writeStringField("recordedAction", d.recordedAction());
                g.writeStringField("recordedRule", d.recordedRule());
                g.writeStringField("replayedAction", d.replayedAction());
                g.writeStringField("replayedRule", d.replayedRule());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeNumberField("sessionsNotListed", r.sessionsNotKept);
            g.writeEndObject();
        }
        out.println();
    }
}

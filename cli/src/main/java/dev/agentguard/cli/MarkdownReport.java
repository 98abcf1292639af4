package dev.agentguard.cli;

import java.io.PrintWriter;
import java.io.Writer;
import java.util.List;
import java.util.Map;

/** The report as Markdown: the same sections as the HTML report, tables instead of charts. */
final class MarkdownReport {

    private MarkdownReport() {
    }

    static void write(ReportData d, ReportInputs in, Writer writer) {
        PrintWriter w = new PrintWriter(writer);
        w.println("# agent-guard report");
        w.println();
        w.println("Read " + ReportText.count(in.lines()) + " lines from " + String.join(", ", in.sets()) + ".");
        if (in.malformed() > 0) {
            w.println();
            w.println("**" + ReportText.count(in.malformed()) + " lines are not decision records** (the first at "
                    + cell(in.firstMalformed()) + "); run `agent-guard verify` on the files.");
        }
        w.println();
        w.println("| | |");
        w.println("|---|---|");
        w.println("| period | " + ReportText.time(d.firstMillis) + " to " + ReportText.time(d.lastMillis) + " |");
        w.println("| policies | " + cell(String.join(", ", d.guards.keySet())) + " |");
        w.println("| model calls | " + ReportText.count(d.modelCalls) + " |");
        w.println("| tool calls | " + ReportText.count(d.toolCalls) + " |");
        w.println("| spend | " + ReportText.usd(d.spendNanos) + " |");
        w.println("| refused calls | " + ReportText.count(d.refusals) + " |");
        w.println("| failed calls | " + ReportText.count(d.failedCalls) + " |");
        w.println("| calls without a price | " + ReportText.count(d.unpricedCalls) + " |");
        if (d.shadowDecisions > 0) {
            w.println("| shadow decisions | " + ReportText.count(d.shadowDecisions) + " |");
        }
        w.println();
        spend(w, "Spend over time by agent", d.spendByAgent);
        spend(w, "Spend over time by model", d.spendByModel);

        w.println("## Decisions by action");
        w.println();
        w.println("| action | calls |");
        w.println("|---|---:|");
        d.byAction.forEach((a, n) -> w.println("| " + cell(a) + " | " + ReportText.count(n) + " |"));
        w.println();
        w.println("## Decisions by rule");
        w.println();
        w.println("| rule | decisions |");
        w.println("|---|---|");
        d.byRule.forEach((rule, actions) -> w.println("| " + cell(rule) + " | " + cell(actions(actions)) + " |"));
        w.println();

        w.println("## Costliest sessions");
        w.println();
        if (d.sessionError() > 0) {
            w.println("More sessions than the report keeps: a session's spend may be under-counted by up to "
                    + ReportText.usd(d.sessionError()) + ".");
            w.println();
        }
        w.println("| session | agent | spend | model calls | tool calls | refused | from | to |");
        w.println("|---|---|---:|---:|---:|---:|---|---|");
        for (Map.Entry<String, ReportData.SessionStats> e : d.costliestSessions(ReportCommand.TOP_SESSIONS)) {
            ReportData.SessionStats s = e.getValue();
            w.println("| " + cell(e.getKey()) + " | " + cell(s.agent) + " | " + ReportText.usd(s.spendNanos) + " | "
                    + s.modelCalls + " | " + s.toolCalls + " | " + s.refusals + " | " + ReportText.time(s.firstMillis)
                    + " | " + ReportText.time(s.lastMillis) + " |");
        }
        w.println();

        w.println("## Loop incidents");
        w.println();
        List<ReportData.LoopIncident> loops = d.loopIncidents();
        if (loops.isEmpty()) {
            w.println("None.");
        } else {
            w.println("| rule | session | agent | call | calls flagged | worst action | from |");
            w.println("|---|---|---|---|---:|---|---|");
            for (ReportData.LoopIncident i : loops) {
                w.println("| " + cell(i.rule) + " | " + cell(i.session) + " | " + cell(i.agent) + " | "
                        + cell(i.subject) + " | " + i.calls + " | " + cell(i.worstAction) + " | "
                        + ReportText.time(i.firstMillis) + " |");
            }
        }
        w.println();

        w.println("## Refusals");
        w.println();
        w.println(ReportText.count(d.refusals) + " calls refused (feedback, final answer, block, suspend).");
        w.println();
        if (!d.refusalsByRule.isEmpty()) {
            w.println("| rule | refused |");
            w.println("|---|---:|");
            d.refusalsByRule.forEach((r, n) -> w.println("| " + cell(r) + " | " + ReportText.count(n) + " |"));
            w.println();
            w.println("The last " + d.lastRefusals.size() + ":");
            w.println();
            w.println("| time | session | agent | call | action | rule | reason |");
            w.println("|---|---|---|---|---|---|---|");
            for (ReportData.Refusal r : d.lastRefusals) {
                w.println("| " + ReportText.time(r.millis()) + " | " + cell(r.session()) + " | " + cell(r.agent())
                        + " | " + cell(r.subject()) + " | " + cell(r.action()) + (r.shadow() ? " (shadow)" : "")
                        + " | " + cell(r.rule()) + " | " + cell(r.reason()) + " |");
            }
            w.println();
        }

        w.println("## Latency by model");
        w.println();
        w.println("| model | calls | spend | latency p50 | p90 | p99 | max | TTFT p50 | p90 |");
        w.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        d.models.forEach((model, m) -> w.println("| " + cell(model) + " | " + m.calls + " | "
                + ReportText.usd(m.spendNanos) + " | " + ReportText.ms(m.latency.percentile(0.5)) + " | "
                + ReportText.ms(m.latency.percentile(0.9)) + " | " + ReportText.ms(m.latency.percentile(0.99)) + " | "
                + ReportText.ms(m.latency.max()) + " | " + ReportText.ms(m.ttft.percentile(0.5)) + " | "
                + ReportText.ms(m.ttft.percentile(0.9)) + " |"));
        w.println();
        w.println("Percentiles are nearest-rank, at most 3% above the exact value.");
        w.flush();
    }

    private static void spend(PrintWriter w, String title, TimeSeries t) {
        w.println("## " + title);
        w.println();
        if (t.isEmpty()) {
            w.println("No spend recorded.");
            w.println();
            return;
        }
        w.println("| | spend |");
        w.println("|---|---:|");
        for (Map.Entry<String, long[]> e : t.top(ReportCommand.TOP_SERIES)) {
            w.println("| " + cell(e.getKey()) + " | " + ReportText.usd(TimeSeries.sum(e.getValue())) + " |");
        }
        w.println();
    }

    static String actions(Map<String, Long> actions) {
        StringBuilder sb = new StringBuilder();
        actions.entrySet().stream().sorted(Map.Entry.comparingByKey(java.util.Comparator
                .comparingInt(ReportData::actionOrder))).forEach(e -> {
                    if (sb.length() > 0) {
                        sb.append(", ");
                    }
                    sb.append(e.getKey()).append(' ').append(e.getValue());
                });
        return sb.toString();
    }

    /** A table cell: pipes escaped, line breaks flattened, a dash for nothing. */
    static String cell(String s) {
        if (s == null || s.isEmpty()) {
            return "-";
        }
        return s.replace("\\", "\\\\").replace("|", "\\|").replace('\n', ' ').replace('\r', ' ');
    }
}

package dev.agentguard.cli;

import java.io.PrintWriter;
import java.io.Writer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The report as one self-contained HTML file: inline CSS, charts as inline SVG (stacked bars of spend over time,
 * bars of decisions and latency), tooltips as SVG {@code <title>} elements. No JavaScript, no external resource: the
 * file opens offline, and a content security policy in it forbids scripts and fetches.
 */
final class HtmlReport {

    /** Colours of the series, then of the actions; readable on white. */
    private static final String[] PALETTE = {"#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948",
        "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"};
    private static final Map<String, String> ACTION_COLOURS = Map.of("allow", "#59a14f", "warn", "#edc948",
            "downgrade", "#76b7b2", "truncate", "#4e79a7", "feedback", "#f28e2b", "finalAnswer", "#b07aa1",
            "block", "#e15759", "suspend", "#9c755f");

    private static final int CHART_WIDTH = 760;

    private HtmlReport() {
    }

    static void write(ReportData d, ReportInputs in, Writer writer) {
        PrintWriter w = new PrintWriter(writer);
        w.println("<!DOCTYPE html>");
        w.println("<html lang=\"en\"><head><meta charset=\"utf-8\">");
        w.println("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline';"
                + " img-src data:\">");
        w.println("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
        w.println("<title>agent-guard report</title>");
        w.println("<style>");
        w.println("body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;color:#222;margin:2em auto;"
                + "max-width:1000px;padding:0 1em}");
        w.println("h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #ddd}");
        w.println("table{border-collapse:collapse;margin:.5em 0}th,td{padding:.25em .6em;border-bottom:1px solid #eee;"
                + "text-align:left;vertical-align:top}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}");
        w.println(".cards{display:flex;flex-wrap:wrap;gap:.8em}.card{border:1px solid #ddd;border-radius:6px;"
                + "padding:.5em .9em;min-width:9em}.card b{display:block;font-size:1.3em}");
        w.println(".warn{background:#fff4d6;border:1px solid #edc948;padding:.5em .9em;border-radius:6px}");
        w.println("svg{display:block;margin:.5em 0}svg text{font:11px system-ui,sans-serif;fill:#333}"
                + ".legend span{display:inline-block;margin-right:1em}.legend i{display:inline-block;width:10px;"
                + "height:10px;margin-right:4px}");
        w.println("</style></head><body>");
        w.println("<h1>agent-guard report</h1>");
        w.println("<p>Read " + ReportText.count(in.lines()) + " lines from " + esc(String.join(", ", in.sets()))
                + ". Period " + ReportText.time(d.firstMillis) + " to " + ReportText.time(d.lastMillis) + ".</p>");
        if (in.malformed() > 0) {
            w.println("<p class=\"warn\" id=\"unreadable\">" + ReportText.count(in.malformed()) + " lines are not"
                    + " decision records (the first at " + esc(in.firstMalformed()) + "): run <code>agent-guard"
                    + " verify</code> on the files.</p>");
        }
        w.println("<div class=\"cards\" id=\"totals\">");
        card(w, "spend", ReportText.usd(d.spendNanos));
        card(w, "model calls", ReportText.count(d.modelCalls));
        card(w, "tool calls", ReportText.count(d.toolCalls));
        card(w, "refused", ReportText.count(d.refusals));
        card(w, "failed", ReportText.count(d.failedCalls));
        card(w, "without a price", ReportText.count(d.unpricedCalls));
        if (d.shadowDecisions > 0) {
            card(w, "shadow decisions", ReportText.count(d.shadowDecisions));
        }
        card(w, "policies", d.guards.isEmpty() ? "-" : String.join(", ", d.guards.keySet()));
        w.println("</div>");

        w.println("<h2 id=\"spend-by-agent\">Spend over time by agent</h2>");
        spendChart(w, "chart-spend-agent", d.spendByAgent);
        w.println("<h2 id=\"spend-by-model\">Spend over time by model</h2>");
        spendChart(w, "chart-spend-model", d.spendByModel);

        w.println("<h2 id=\"decisions\">Decisions by action and rule</h2>");
        List<Bar> bars = new ArrayList<>();
        d.byAction.forEach((a, n) -> bars.add(new Bar(a, n, ACTION_COLOURS.getOrDefault(a, "#888"),
                ReportText.count(n))));
        barChart(w, "chart-actions", bars);
        w.println("<table id=\"rules\"><tr><th>rule</th><th>decisions</th></tr>");
        d.byRule.forEach((rule, actions) -> w.println("<tr><td>" + esc(rule) + "</td><td>"
                + esc(MarkdownReport.actions(actions)) + "</td></tr>"));
        w.println("</table>");

        w.println("<h2 id=\"sessions\">Costliest sessions</h2>");
        if (d.sessionError() > 0) {
            w.println("<p class=\"warn\">More sessions than the report keeps: a session's spend may be under-counted"
                    + " by up to " + ReportText.usd(d.sessionError()) + ".</p>");
        }
        w.println("<table id=\"costliest\"><tr><th>session</th><th>agent</th><th class=\"n\">spend</th>"
                + "<th class=\"n\">model calls</th><th class=\"n\">tool calls</th><th class=\"n\">refused</th>"
                + "<th>from</th><th>to</th></tr>");
        for (Map.Entry<String, ReportData.SessionStats> e : d.costliestSessions(ReportCommand.TOP_SESSIONS)) {
            ReportData.SessionStats s = e.getValue();
            w.println("<tr><td>" + esc(e.getKey()) + "</td><td>" + esc(s.agent) + "</td><td class=\"n\">"
                    + ReportText.usd(s.spendNanos) + "</td><td class=\"n\">" + s.modelCalls + "</td><td class=\"n\">"
                    + s.toolCalls + "</td><td class=\"n\">" + s.refusals + "</td><td>" + ReportText.time(s.firstMillis)
                    + "</td><td>" + ReportText.time(s.lastMillis) + "</td></tr>");
        }
        w.println("</table>");

        w.println("<h2 id=\"loops\">Loop incidents</h2>");
        List<ReportData.LoopIncident> loops = d.loopIncidents();
        if (loops.isEmpty()) {
            w.println("<p>None.</p>");
        } else {
            w.println("<table id=\"loop-incidents\"><tr><th>rule</th><th>session</th><th>agent</th><th>call</th>"
                    + "<th class=\"n\">calls flagged</th><th>worst action</th><th>from</th></tr>");
            for (ReportData.LoopIncident i : loops) {
                w.println("<tr><td>" + esc(i.rule) + "</td><td>" + esc(i.session) + "</td><td>" + esc(i.agent)
                        + "</td><td>" + esc(i.subject) + "</td><td class=\"n\">" + i.calls + "</td><td>"
                        + esc(i.worstAction) + "</td><td>" + ReportText.time(i.firstMillis) + "</td></tr>");
            }
            w.println("</table>");
            if (d.incidentsNotKept > 0) {
                w.println("<p>" + d.incidentsNotKept + " more flagged calls of other incidents are not listed.</p>");
            }
        }

        w.println("<h2 id=\"refusals\">Refusals</h2>");
        w.println("<p>" + ReportText.count(d.refusals) + " calls refused (feedback, final answer, block,"
                + " suspend).</p>");
        if (!d.refusalsByRule.isEmpty()) {
            List<Bar> rb = new ArrayList<>();
            d.refusalsByRule.forEach((r, n) -> rb.add(new Bar(r, n, "#e15759", ReportText.count(n))));
            barChart(w, "chart-refusals", rb);
            w.println("<p>The last " + d.lastRefusals.size() + ":</p>");
            w.println("<table id=\"refusal-list\"><tr><th>time</th><th>session</th><th>agent</th><th>call</th>"
                    + "<th>action</th><th>rule</th><th>reason</th></tr>");
            for (ReportData.Refusal r : d.lastRefusals) {
                w.println("<tr><td>" + ReportText.time(r.millis()) + "</td><td>" + esc(r.session()) + "</td><td>"
                        + esc(r.agent()) + "</td><td>" + esc(r.subject()) + "</td><td>" + esc(r.action())
                        + (r.shadow() ? " (shadow)" : "") + "</td><td>" + esc(r.rule()) + "</td><td>"
                        + esc(r.reason()) + "</td></tr>");
            }
            w.println("</table>");
        }

        w.println("<h2 id=\"latency\">Latency by model</h2>");
        List<Bar> lb = new ArrayList<>();
        d.models.forEach((model, m) -> {
            if (m.latency.count() > 0) {
                lb.add(new Bar(model + " p50", m.latency.percentile(0.5), PALETTE[0],
                        ReportText.ms(m.latency.percentile(0.5))));
                lb.add(new Bar(model + " p90", m.latency.percentile(0.9), PALETTE[1],
                        ReportText.ms(m.latency.percentile(0.9))));
            }
        });
        if (!lb.isEmpty()) {
            barChart(w, "chart-latency", lb);
        }
        w.println("<table id=\"models\"><tr><th>model</th><th class=\"n\">calls</th><th class=\"n\">spend</th>"
                + "<th class=\"n\">latency p50</th><th class=\"n\">p90</th><th class=\"n\">p99</th><th class=\"n\">max"
                + "</th><th class=\"n\">TTFT p50</th><th class=\"n\">p90</th></tr>");
        d.models.forEach((model, m) -> w.println("<tr><td>" + esc(model) + "</td><td class=\"n\">" + m.calls
                + "</td><td class=\"n\">" + ReportText.usd(m.spendNanos) + "</td><td class=\"n\">"
                + ReportText.ms(m.latency.percentile(0.5)) + "</td><td class=\"n\">"
                + ReportText.ms(m.latency.percentile(0.9)) + "</td><td class=\"n\">"
                + ReportText.ms(m.latency.percentile(0.99)) + "</td><td class=\"n\">" + ReportText.ms(m.latency.max())
                + "</td><td class=\"n\">" + ReportText.ms(m.ttft.percentile(0.5)) + "</td><td class=\"n\">"
                + ReportText.ms(m.ttft.percentile(0.9)) + "</td></tr>"));
        w.println("</table>");
        w.println("<p>Percentiles are nearest-rank, at most 3% above the exact value.</p>");
        w.println("</body></html>");
        w.flush();
    }

    private static void card(PrintWriter w, String label, String value) {
        w.println("<div class=\"card\"><b>" + esc(value) + "</b>" + esc(label) + "</div>");
    }

    /** Stacked bars, one per time bucket, one colour per series; a legend with each series' total. */
    private static void spendChart(PrintWriter w, String id, TimeSeries t) {
        if (t.isEmpty()) {
            w.println("<p>No spend recorded.</p>");
            return;
        }
        List<Map.Entry<String, long[]>> series = t.top(ReportCommand.TOP_SERIES);
        int n = Math.max(1, t.used());
        long[] totals = new long[n];
        for (Map.Entry<String, long[]> s : series) {
            for (int i = 0; i < n; i++) {
                totals[i] += s.getValue()[i];
            }
        }
        long max = 1;
        for (long v : totals) {
            max = Math.max(max, v);
        }
        max = niceCeiling(max);
        int left = 70;
        int top = 10;
        int plotW = CHART_WIDTH - left - 10;
        int plotH = 180;
        int height = top + plotH + 30;
        w.println("<svg id=\"" + id + "\" width=\"" + CHART_WIDTH
                + "\" height=\"" + height + "\" viewBox=\"0 0 " + CHART_WIDTH + " " + height + "\" role=\"img\">");
        for (int g = 0; g <= 4; g++) {
            int y = top + plotH - plotH * g / 4;
            long value = max * g / 4;
            w.println("<line x1=\"" + left + "\" y1=\"" + y + "\" x2=\"" + (left + plotW) + "\" y2=\"" + y
                    + "\" stroke=\"#ddd\"/><text x=\"" + (left - 4) + "\" y=\"" + (y + 4) + "\" text-anchor=\"end\">"
                    + ReportText.usd(value) + "</text>");
        }
        double bw = (double) plotW / n;
        for (int i = 0; i < n; i++) {
            double base = 0;
            for (int s = 0; s < series.size(); s++) {
                long v = series.get(s).getValue()[i];
                if (v <= 0) {
                    continue;
                }
                double h = (double) plotH * v / max;
                double y = top + plotH - base - h;
                w.println("<rect x=\"" + fmt(left + i * bw + 1) + "\" y=\"" + fmt(y) + "\" width=\""
                        + fmt(Math.max(1, bw - 2)) + "\" height=\"" + fmt(Math.max(0.5, h)) + "\" fill=\""
                        + PALETTE[s % PALETTE.length] + "\"><title>" + esc(series.get(s).getKey()) + ", "
                        + ReportText.time(t.origin() + i * t.width()) + ": " + ReportText.usd(v) + "</title></rect>");
                base += h;
            }
        }
        w.println("<text x=\"" + left + "\" y=\"" + (top + plotH + 16) + "\">" + ReportText.time(t.origin())
                + "</text><text x=\"" + (left + plotW) + "\" y=\"" + (top + plotH + 16) + "\" text-anchor=\"end\">"
                + ReportText.time(t.origin() + n * t.width()) + "</text><text x=\"" + (left + plotW / 2) + "\" y=\""
                + (top + plotH + 28) + "\" text-anchor=\"middle\">one bar per " + ReportText.width(t.width())
                + "</text>");
        w.println("</svg>");
        w.print("<p class=\"legend\">");
        for (int s = 0; s < series.size(); s++) {
            w.print("<span><i style=\"background:" + PALETTE[s % PALETTE.length] + "\"></i>"
                    + esc(series.get(s).getKey()) + " " + ReportText.usd(TimeSeries.sum(series.get(s).getValue()))
                    + "</span>");
        }
        w.println("</p>");
    }

    private record Bar(String label, long value, String colour, String text) {
    }

    /** Horizontal bars, one per row, scaled to the largest. */
    private static void barChart(PrintWriter w, String id, List<Bar> bars) {
        int left = 220;
        int row = 22;
        int height = bars.size() * row + 10;
        long max = 1;
        for (Bar b : bars) {
            max = Math.max(max, b.value());
        }
        int plotW = CHART_WIDTH - left - 90;
        w.println("<svg id=\"" + id + "\" width=\"" + CHART_WIDTH
                + "\" height=\"" + height + "\" viewBox=\"0 0 " + CHART_WIDTH + " " + height + "\" role=\"img\">");
        for (int i = 0; i < bars.size(); i++) {
            Bar b = bars.get(i);
            int y = 5 + i * row;
            double bwid = Math.max(1, (double) plotW * b.value() / max);
            w.println("<text x=\"" + (left - 6) + "\" y=\"" + (y + 14) + "\" text-anchor=\"end\">" + esc(b.label())
                    + "</text><rect x=\"" + left + "\" y=\"" + y + "\" width=\"" + fmt(bwid) + "\" height=\""
                    + (row - 6) + "\" fill=\"" + b.colour() + "\"><title>" + esc(b.label()) + ": " + esc(b.text())
                    + "</title></rect><text x=\"" + fmt(left + bwid + 6) + "\" y=\"" + (y + 14) + "\">" + esc(b.text())
                    + "</text>");
        }
        w.println("</svg>");
    }

    /** @return the smallest 1, 2, 2.5 or 5 times a power of ten that is at least {@code v} (so axis labels are round) */
    static long niceCeiling(long v) {
        long p = 1;
        while (true) {
            for (long m : new long[] {10, 20, 25, 50}) {
                if (m * p >= v * 10 || m * p < 0) {
                    return m * p / 10;
                }
            }
            if (p > Long.MAX_VALUE / 100) {
                return v;
            }
            p *= 10;
        }
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    /** Escapes text for HTML content and attribute values. */
    static String esc(String s) {
        if (s == null) {
            return "-";
        }
        StringBuilder sb = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '&' -> sb.append("&amp;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> {
                    if (c < 0x20 && c != '\n' && c != '\t') {
                        sb.append(' ');
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.toString();
    }
}

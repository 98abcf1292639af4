package dev.agentguard.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.agentguard.core.common.Money;
import java.io.IOException;
import java.io.Writer;
import java.util.List;
import java.util.Map;

/** The report as one JSON object: every figure of the other formats, money as decimal strings. */
final class JsonReport {

    private JsonReport() {
    }

    static void write(ReportData d, ReportInputs in, Writer w) throws IOException {
        try (JsonGenerator g = new JsonFactory().createGenerator(w)) {
            g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            g.useDefaultPrettyPrinter();
            g.writeStartObject();
            g.writeNumberField("reportVersion", 1);
            g.writeArrayFieldStart("sets");
            for (String s : in.sets()) {
                g.writeString(s);
            }
            g.writeEndArray();
            g.writeNumberField("lines", in.lines());
            g.writeNumberField("bytes", in.bytes());
            g.writeNumberField("unreadableLines", in.malformed());
            g.writeStringField("firstUnreadableLine", in.firstMalformed());
            g.writeStringField("from", ReportText.iso(d.firstMillis));
            g.writeStringField("to", ReportText.iso(d.lastMillis));
            g.writeNumberField("records", d.records);
            g.writeNumberField("modelCalls", d.modelCalls);
            g.writeNumberField("toolCalls", d.toolCalls);
            g.writeNumberField("settlements", d.settlements);
            g.writeNumberField("notices", d.notices);
            g.writeNumberField("shadowDecisions", d.shadowDecisions);
            g.writeStringField("spendUsd", Money.format(d.spendNanos));
            g.writeNumberField("unpricedCalls", d.unpricedCalls);
            g.writeNumberField("failedCalls", d.failedCalls);
            counts(g, "guards", d.guards);
            counts(g, "decisionsByAction", d.byAction);
            g.writeObjectFieldStart("decisionsByRule");
            for (Map.Entry<String, Map<String, Long>> e : d.byRule.entrySet()) {
                counts(g, e.getKey(), e.getValue());
            }
            g.writeEndObject();
            counts(g, "outcomes", d.outcomes);
            g.writeObjectFieldStart("spendOverTime");
            g.writeStringField("start", d.spendByAgent.isEmpty() ? null : ReportText.iso(d.spendByAgent.origin()));
            g.writeNumberField("bucketMillis", d.spendByAgent.width());
            series(g, "byAgent", d.spendByAgent);
            series(g, "byModel", d.spendByModel);
            g.writeEndObject();
            g.writeObjectFieldStart("sessions");
            g.writeNumberField("tracked", d.sessions.size());
            g.writeNumberField("dropped", d.sessionsPruned);
            g.writeStringField("maxUnderCountUsd", Money.format(d.sessionError()));
            g.writeArrayFieldStart("costliest");
            for (Map.Entry<String, ReportData.SessionStats> e : d.costliestSessions(ReportCommand.TOP_SESSIONS)) {
                ReportData.SessionStats s = e.getValue();
                g.writeStartObject();
                g.writeStringField("session", e.getKey());
                g.writeStringField("agent", s.agent);
                g.writeStringField("spendUsd", Money.format(s.spendNanos));
                g.writeNumberField("modelCalls", s.modelCalls);
                g.writeNumberField("toolCalls", s.toolCalls);
                g.writeNumberField("refusals", s.refusals);
                g.writeStringField("from", ReportText.iso(s.firstMillis));
                g.writeStringField("to", ReportText.iso(s.lastMillis));
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
            g.writeObjectFieldStart("loopIncidents");
            g.writeNumberField("notKept", d.incidentsNotKept);
            g.writeArrayFieldStart("incidents");
            for (ReportData.LoopIncident i : d.loopIncidents()) {
                g.writeStartObject();
                g.writeStringField("rule", i.rule);
                g.writeStringField("session", i.session);
                g.writeStringField("agent", i.agent);
                g.writeStringField("subject", i.subject);
                g.writeNumberField("calls", i.calls);
                g.writeStringField("worstAction", i.worstAction);
                g.writeStringField("from", ReportText.iso(i.firstMillis));
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
            g.writeObjectFieldStart("refusals");
            g.writeNumberField("total", d.refusals);
            counts(g, "byRule", d.refusalsByRule);
            g.writeArrayFieldStart("latest");
            for (ReportData.Refusal r : d.lastRefusals) {
                g.writeStartObject();
                g.writeStringField("ts", ReportText.iso(r.millis()));
                g.writeStringField("session", r.session());
                g.writeStringField("agent", r.agent());
                g.writeStringField("subject", r.subject());
                g.writeStringField("action", r.action());
                g.writeStringField("rule", r.rule());
                g.writeStringField("reason", r.reason());
                if (r.shadow()) {
                    g.writeBooleanField("shadow", true);
                }
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
            g.writeObjectFieldStart("models");
            for (Map.Entry<String, ReportData.ModelStats> e : d.models.entrySet()) {
                ReportData.ModelStats m = e.getValue();
                g.writeObjectFieldStart(e.getKey());
                g.writeNumberField("calls", m.calls);
                g.writeStringField("spendUsd", Money.format(m.spendNanos));
                g.writeNumberField("inputTokens", m.inputTokens);
                g.writeNumberField("outputTokens", m.outputTokens);
                percentiles(g, "latencyMs", m.latency);
                percentiles(g, "ttftMs", m.ttft);
                g.writeEndObject();
            }
            g.writeEndObject();
            g.writeEndObject();
        }
        w.write(System.lineSeparator());
    }

    private static void counts(JsonGenerator g, String name, Map<String, Long> counts) throws IOException {
        g.writeObjectFieldStart(name);
        for (Map.Entry<String, Long> e : counts.entrySet()) {
            g.writeNumberField(e.getKey(), e.getValue());
        }
        g.writeEndObject();
    }

    private static void series(JsonGenerator g, String name, TimeSeries t) throws IOException {
        g.writeObjectFieldStart(name);
        for (Map.Entry<String, long[]> e : t.top(TimeSeries.MAX_SERIES)) {
            g.writeArrayFieldStart(e.getKey());
            for (long v : e.getValue()) {
                g.writeString(Money.format(v));
            }
            g.writeEndArray();
        }
        g.writeEndObject();
    }

    private static void percentiles(JsonGenerator g, String name, Histogram h) throws IOException {
        if (h.count() == 0) {
            g.writeNullField(name);
            return;
        }
        g.writeObjectFieldStart(name);
        g.writeNumberField("count", h.count());
        for (Map.Entry<String, Double> q : QUANTILES) {
            g.writeNumberField(q.getKey(), h.percentile(q.getValue()));
        }
        g.writeNumberField("max", h.max());
        g.writeEndObject();
    }

    static final List<Map.Entry<String, Double>> QUANTILES = List.of(Map.entry("p50", 0.5), Map.entry("p90", 0.9),
            Map.entry("p99", 0.99));
}

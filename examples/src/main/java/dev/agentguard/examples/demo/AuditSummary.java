package dev.agentguard.examples.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The per-session summary table, read back from the audit file: what the file holds is what the table shows,
 * so the table also shows that the file accounted for every call.
 */
final class AuditSummary {

    /** One session's figures. */
    static final class Row {
        final String session;
        final String agent;
        int modelCalls;
        int toolCalls;
        long tokensIn;
        long tokensOut;
        BigDecimal cost = BigDecimal.ZERO;
        final Map<String, Integer> decisions = new TreeMap<>();

        Row(String session, String agent) {
            this.session = session;
            this.agent = agent;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, Row> rows;
    private final List<JsonNode> records;

    private AuditSummary(List<JsonNode> records) {
        this.records = records;
        this.rows = new LinkedHashMap<>();
        for (JsonNode r : records) {
            String session = r.path("session").asText(null);
            if (session == null) {
                continue;
            }
            Row row = rows.computeIfAbsent(session, s -> new Row(s, r.path("agent").asText("")));
            if ("pre".equals(r.path("phase").asText())) {
                row.decisions.merge(r.path("action").asText(), 1, Integer::sum);
                continue;
            }
            if ("model_call".equals(r.path("kind").asText())) {
                row.modelCalls++;
            } else {
                row.toolCalls++;
            }
            JsonNode u = r.path("usage");
            row.tokensIn += u.path("input").asLong(0) + u.path("cacheRead").asLong(0) + u.path("cacheWrite").asLong(0);
            row.tokensOut += u.path("output").asLong(0) + u.path("reasoning").asLong(0);
            if (r.hasNonNull("costUsd")) {
                row.cost = row.cost.add(new BigDecimal(r.get("costUsd").asText()));
            }
        }
    }

    /**
     * @param auditFile a closed audit file
     * @return its summary
     */
    static AuditSummary read(Path auditFile) {
        try (Stream<String> lines = Files.lines(auditFile)) {
            return new AuditSummary(lines.map(AuditSummary::parse).collect(Collectors.toList()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode parse(String line) {
        try {
            return JSON.readTree(line);
        } catch (IOException e) {
            throw new UncheckedIOException("not a JSON line: " + line, e);
        }
    }

    /** @return every record of the file, in order */
    List<JsonNode> records() {
        return records;
    }

    /** @return the rows, by session, in order of first appearance */
    Map<String, Row> rows() {
        return rows;
    }

    /** @return the sum of every session's row */
    Row total() {
        Row total = new Row("total", "");
        for (Row r : rows.values()) {
            total.modelCalls += r.modelCalls;
            total.toolCalls += r.toolCalls;
            total.tokensIn += r.tokensIn;
            total.tokensOut += r.tokensOut;
            total.cost = total.cost.add(r.cost);
            r.decisions.forEach((action, n) -> total.decisions.merge(action, n, Integer::sum));
        }
        return total;
    }

    void print(PrintStream out) {
        String format = "  %-12s %-14s %6s %6s %10s %8s %11s  %s%n";
        out.printf(format, "session", "agent", "model", "tool", "tokens in", "out", "cost", "decisions before calls");
        for (Row r : rows.values()) {
            print(out, format, r);
        }
        print(out, format, total());
    }

    private static void print(PrintStream out, String format, Row r) {
        String decisions = r.decisions.entrySet().stream().map(e -> e.getKey() + " " + e.getValue())
                .collect(Collectors.joining(", "));
        out.printf(format, r.session, r.agent, r.modelCalls, r.toolCalls, String.format("%,d", r.tokensIn),
                String.format("%,d", r.tokensOut), "$" + r.cost.toPlainString(), decisions);
    }
}

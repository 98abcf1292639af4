package dev.agentguard.core.audit;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.agentguard.core.common.CallKind;
import dev.agentguard.core.CallRequest;
import dev.agentguard.core.Decision;
import dev.agentguard.core.DecisionEvent;
import dev.agentguard.core.GuardScope;
import dev.agentguard.core.common.Money;
import dev.agentguard.core.common.Phase;
import dev.agentguard.core.common.Unit;
import dev.agentguard.core.common.Usage;
import dev.agentguard.core.redact.Redactor;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiConsumer;

/**
 * One decision as a record: the contract fields of the design's "Decision record", in their order, with every
 * text already redacted. This is the one mapping from a {@link DecisionEvent} to fields; the SLF4J decision log
 * sends them as key-values and the audit file writes them as one JSON line (adding {@code prev} and
 * {@code hash}).
 *
 * <p>Fields, always present, null when they do not apply: {@code seq, ts, guard, mode, kind, phase, action,
 * rule, reason, observed, limit, unit, agent, session, user, tenant, model, requestedModel, tool, usage, costUsd,
 * reservedUsd, priced, latencyMs, ttftMs, outcome}. Then three extensions, present only when they apply:
 * {@code arguments} (a tool call's arguments, redacted, as a string of JSON when they were JSON),
 * {@code truncated} (on the post record of a model call whose prompt was truncated: {@code messages} and
 * {@code tokens} dropped, both {@link Long}), {@code shadow} ({@code true} for a shadow-mode decision) and
 * {@code operator} (on the record of an operator's action, {@link dev.agentguard.core.GuardAdmin}: who took it,
 * through the redactor, so that an e-mail address used as an identity is redacted when e-mails are).
 *
 * <p>Value types: {@code seq}, {@code latencyMs} and {@code ttftMs} are {@link Long}; {@code priced} and
 * {@code shadow} {@link Boolean}; {@code usage} an ordered map of the five canonical counts, each a {@link Long}
 * or null when the provider did not report it; everything else is a {@link String}. {@code observed} and
 * {@code limit} are formatted by {@link Unit#format(long)} and USD amounts by {@link Money#format(long)}: decimal
 * strings, never floating point. {@code costUsd}, {@code reservedUsd} and {@code priced} apply to model calls
 * only (tools are not priced); {@code costUsd}, {@code usage}, {@code latencyMs} and {@code outcome} to post
 * records.
 *
 * <p><b>Record version 2</b> adds what a replay of the call under another policy needs. Every record carries
 * {@code v} ({@value #VERSION}; a record without it is version 1). The admission record ({@code phase: pre}) of a
 * model call adds {@code provider} (when known), {@code promptTokens} (as asked, before any truncation),
 * {@code maxOutputTokens} (when the request set one), {@code requestFingerprint} (when the caller gave one) and
 * {@code continuesToolResult} (when true); that of a tool call adds {@code argumentsFingerprint}; both add
 * {@code turn} when the scope has one. Fingerprints are 16 hex digits of an HMAC-SHA256 under a key drawn at random
 * per process and never written: equal requests of one process have equal fingerprints, but a fingerprint cannot
 * be checked against guessed arguments (an e-mail address, say) the way a plain hash could.
 *
 * <p>What is redacted: the tool arguments, the reason and the outcome (which may carry an error message). The
 * scope keys ({@code agent}, {@code session}, {@code user}, {@code tenant}), model and tool names are not: they
 * are the attribution keys the record exists for, chosen by the integrator (use pseudonymous ids, not e-mail
 * addresses, for users).
 *
 * <p>Immutable. {@link #toString()} is the JSON object, safe to print: nothing raw is kept.
 */
public final class DecisionRecord {

    /**
     * The SLF4J logger of decisions: the decision log writes every record there, and the audit sink its warnings
     * and checkpoints.
     */
    public static final String DECISION_LOGGER = "agentguard.decision";

    /** The contract fields, in order. */
    public static final List<String> FIELDS = List.of("seq", "ts", "guard", "mode", "kind", "phase", "action",
            "rule", "reason", "observed", "limit", "unit", "agent", "session", "user", "tenant", "model",
            "requestedModel", "tool", "usage", "costUsd", "reservedUsd", "priced", "latencyMs", "ttftMs", "outcome",
            "fired");

    /** The extension field holding a tool call's redacted arguments. */
    public static final String ARGUMENTS = "arguments";
    /** The extension field holding what truncation dropped from a model call's prompt. */
    public static final String TRUNCATED = "truncated";
    /** The extension field set to {@code true} on a shadow-mode decision. */
    public static final String SHADOW = "shadow";
    /** The extension field naming the operator whose action a guard record records (redacted like a reason). */
    public static final String OPERATOR = "operator";
    /** The record version this class writes, in the field {@value #V}. */
    public static final int VERSION = 2;
    /** The field holding the record version. */
    public static final String V = "v";
    /** The version-2 fields of an admission record, in order; each present only when it applies. */
    public static final List<String> REQUEST_FIELDS = List.of("provider", "promptTokens", "maxOutputTokens",
            "requestFingerprint", "continuesToolResult", "argumentsFingerprint", "turn");

    /** The names of the usage counts, in order. */
    public static final List<String> USAGE_FIELDS = List.of("input", "cacheRead", "cacheWrite", "output",
            "reasoning");

    private static final int SEQ = 0;
    private static final int TS = 1;
    private static final int ACTION = 6;
    private static final int RULE = 7;
    private static final int REASON = 8;
    private static final int AGENT = 12;
    private static final int SESSION = 13;
    private static final int MODEL = 16;
    private static final int REQUESTED_MODEL = 17;
    private static final int TOOL = 18;
    private static final int COST = 20;
    private static final int LATENCY = 23;
    private static final int OUTCOME = 25;
    private static final int FIRED = 26;

    private static final JsonFactory JSON = new JsonFactory();

    private final Object[] values;
    private final String arguments;
    private final Map<String, Long> truncated;
    private final boolean shadow;
    /** The operator of an admin action, redacted; null otherwise. */
    private final String operator;
    /** The version-2 request fields that apply, in order; empty when none do. */
    private final Map<String, Object> request;

    private DecisionRecord(Object[] values, String arguments, Map<String, Long> truncated, boolean shadow,
            Map<String, Object> request) {
        this(values, arguments, truncated, shadow, request, null);
    }

    private DecisionRecord(Object[] values, String arguments, Map<String, Long> truncated, boolean shadow,
            Map<String, Object> request, String operator) {
        this.operator = operator;
        this.values = values;
        this.arguments = arguments;
        this.truncated = truncated;
        this.shadow = shadow;
        this.request = request;
    }

    /**
     * Maps an event to its record, redacting the tool arguments, the reason and the outcome.
     *
     * @param event the decision event
     * @param redactor what to remove from texts
     * @return the record
     */
    public static DecisionRecord of(DecisionEvent event, Redactor redactor) {
        Decision d = event.decision();
        GuardScope scope = event.scope();
        DecisionEvent.CallEvent call = event instanceof DecisionEvent.CallEvent c ? c : null;
        DecisionEvent.CallSettled post = event instanceof DecisionEvent.CallSettled s ? s : null;
        boolean model = event.kind() == CallKind.MODEL_CALL;
        Unit unit = d.unit();
        Object[] v = new Object[FIELDS.size()];
        // tool arguments are the most likely to hold secrets: they go through the redactor before anything else
        String arguments = call != null && event.kind() == CallKind.TOOL_CALL
                ? redactor.redactArguments(call.toolArguments()) : null;
        v[SEQ] = event.seq();
        v[TS] = event.timestamp() == null ? null : event.timestamp().toString();
        v[2] = event.guard();
        v[3] = event.mode() == null ? null : event.mode().id();
        v[4] = event.kind().id();
        v[5] = event.phase().id();
        v[ACTION] = event.action().id();
        v[RULE] = d.rule();
        v[REASON] = redactor.redact(d.reason());
        v[9] = unit == null || d.observed() == Decision.NO_FIGURE ? null : unit.format(d.observed());
        v[10] = unit == null || d.limit() == Decision.NO_FIGURE ? null : unit.format(d.limit());
        v[11] = unit == null ? null : unit.id();
        v[AGENT] = scope.agent();
        v[SESSION] = scope.session();
        v[14] = scope.user();
        v[15] = scope.tenant();
        v[MODEL] = d.model();
        v[REQUESTED_MODEL] = d.requestedModel();
        if (call != null) {
            v[TOOL] = call.tool();
            v[21] = model || call.reservedNanos() > 0 ? Money.format(call.reservedNanos()) : null;
            v[22] = model ? Boolean.valueOf(call.priced()) : null;
        }
        Map<String, Long> truncated = null;
        if (post != null) {
            v[19] = model ? usage(post.usage()) : null;
            // a model call's cost is known unless unpriced; a tool call has one only when the policy prices the tool
            boolean costed = model ? post.costNanos() >= 0 : post.costNanos() > 0 || call.reservedNanos() > 0;
            v[COST] = costed ? Money.format(Math.max(0, post.costNanos())) : null;
            v[LATENCY] = post.latencyNanos() >= 0 ? Long.valueOf(post.latencyNanos() / 1_000_000) : null;
            v[24] = post.ttftNanos() >= 0 ? Long.valueOf(post.ttftNanos() / 1_000_000) : null;
            v[OUTCOME] = redactor.redact(post.outcome());
            if (model && post.droppedMessages() > 0) {
                Map<String, Long> t = new LinkedHashMap<>(4);
                t.put("messages", Long.valueOf(post.droppedMessages()));
                t.put("tokens", post.droppedTokens() >= 0 ? Long.valueOf(post.droppedTokens()) : null);
                truncated = Collections.unmodifiableMap(t);
            }
        }
        if (!d.fired().isEmpty()) {
            // every rule that fired, with the action it called for; the winner is v[RULE]
            Map<String, String> fired = new LinkedHashMap<>(d.fired().size() * 2);
            for (Decision.Fired f : d.fired()) {
                fired.put(f.rule(), f.action().id());
            }
            v[FIRED] = Collections.unmodifiableMap(fired);
        }
        return new DecisionRecord(v, arguments, truncated, d.isShadow(),
                event instanceof DecisionEvent.CallAdmitted a ? request(a) : Map.of(),
                d.operator() == null ? null : redactor.redact(d.operator()));
    }

    private static Map<String, Object> request(DecisionEvent.CallAdmitted a) {
        CallRequest r = a.request();
        Map<String, Object> m = new LinkedHashMap<>(8);
        if (r != CallRequest.NONE) {
            if (a.kind() == CallKind.MODEL_CALL) {
                if (r.provider() != null) {
                    m.put("provider", r.provider());
                }
                m.put("promptTokens", Long.valueOf(r.promptTokens()));
                if (r.maxOutputTokens() >= 0) {
                    m.put("maxOutputTokens", Long.valueOf(r.maxOutputTokens()));
                }
                if (r.requestFingerprint() != 0) {
                    m.put("requestFingerprint", Fingerprints.of(r.requestFingerprint()));
                }
                if (r.continuesToolResult()) {
                    m.put("continuesToolResult", Boolean.TRUE);
                }
            } else if (r.argumentsFingerprint() != 0) {
                m.put("argumentsFingerprint", Fingerprints.of(r.argumentsFingerprint()));
            }
        }
        if (a.scope().turn() != null) {
            m.put("turn", a.scope().turn());
        }
        return m.isEmpty() ? Map.of() : Collections.unmodifiableMap(m);
    }

    /**
     * A record the audit sink writes about itself (records lost while the file could not be written, say): the
     * same fields, with no call behind it ({@code kind}, {@code phase} and the scope are null).
     *
     * @param timestamp when
     * @param action the action id, e.g. {@code warn}
     * @param rule the rule id, e.g. {@code audit.loss}
     * @param reason one sentence, redacted by the caller
     * @param observed the figure, or null
     * @return the record
     */
    static DecisionRecord notice(Instant timestamp, String action, String rule, String reason, String observed) {
        Object[] v = new Object[FIELDS.size()];
        v[TS] = timestamp.toString();
        v[ACTION] = action;
        v[RULE] = rule;
        v[REASON] = reason;
        v[9] = observed;
        return new DecisionRecord(v, null, null, false, Map.of());
    }

    private static Map<String, Long> usage(Usage u) {
        if (u == null) {
            return null;
        }
        Map<String, Long> m = new LinkedHashMap<>(8);
        m.put("input", count(u.input()));
        m.put("cacheRead", count(u.cacheRead()));
        m.put("cacheWrite", count(u.cacheWrite()));
        m.put("output", count(u.output()));
        m.put("reasoning", count(u.reasoning()));
        return Collections.unmodifiableMap(m);
    }

    private static Long count(long c) {
        return Usage.isKnown(c) ? Long.valueOf(c) : null;
    }

    /**
     * @param field a contract or extension field name
     * @return its value (see the class comment for types), or null
     * @throws IllegalArgumentException if there is no such field
     */
    public Object get(String field) {
        int i = FIELDS.indexOf(field);
        if (i >= 0) {
            return values[i];
        }
        if (ARGUMENTS.equals(field)) {
            return arguments;
        }
        if (TRUNCATED.equals(field)) {
            return truncated;
        }
        if (SHADOW.equals(field)) {
            return shadow ? Boolean.TRUE : null;
        }
        if (OPERATOR.equals(field)) {
            return operator;
        }
        if (REQUEST_FIELDS.contains(field)) {
            return request.get(field);
        }
        if (V.equals(field)) {
            return Long.valueOf(VERSION);
        }
        throw new IllegalArgumentException("no decision record field \"" + field + "\"");
    }

    /**
     * Visits every field in order: the contract fields (null values included), then the extensions that apply.
     *
     * @param visitor receives each name and value
     */
    public void forEach(BiConsumer<String, Object> visitor) {
        for (int i = 0; i < values.length; i++) {
            visitor.accept(FIELDS.get(i), values[i]);
        }
        if (arguments != null) {
            visitor.accept(ARGUMENTS, arguments);
        }
        if (truncated != null) {
            visitor.accept(TRUNCATED, truncated);
        }
        if (shadow) {
            visitor.accept(SHADOW, Boolean.TRUE);
        }
        if (operator != null) {
            visitor.accept(OPERATOR, operator);
        }
        request.forEach(visitor);
        visitor.accept(V, Long.valueOf(VERSION));
    }

    /** @return the fields in order, as an unmodifiable map (null values included) */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>(40);
        forEach(m::put);
        return Collections.unmodifiableMap(m);
    }

    /** @return the sequence number, or null for a record of the sink itself */
    public Long seq() {
        return (Long) values[SEQ];
    }

    /** @return the ISO-8601 UTC timestamp */
    public String ts() {
        return (String) values[TS];
    }

    /** @return the action id, e.g. {@code block} or {@code record} */
    public String action() {
        return (String) values[ACTION];
    }

    /** @return the rule id, or null */
    public String rule() {
        return (String) values[RULE];
    }

    /** @return the reason, redacted */
    public String reason() {
        return (String) values[REASON];
    }

    /** @return the agent, or null */
    public String agent() {
        return (String) values[AGENT];
    }

    /** @return the session, or null */
    public String session() {
        return (String) values[SESSION];
    }

    /** @return the model used, or null */
    public String model() {
        return (String) values[MODEL];
    }

    /** @return the model asked for, or null */
    public String requestedModel() {
        return (String) values[REQUESTED_MODEL];
    }

    /** @return the tool, or null */
    public String tool() {
        return (String) values[TOOL];
    }

    /** @return the cost in USD as a decimal string (post, model calls), or null */
    public String costUsd() {
        return (String) values[COST];
    }

    /** @return the latency in milliseconds (post), or null */
    public Long latencyMs() {
        return (Long) values[LATENCY];
    }

    /** @return the outcome (post), redacted, or null */
    public String outcome() {
        return (String) values[OUTCOME];
    }

    /** @return the tool call's redacted arguments, or null */
    public String arguments() {
        return arguments;
    }

    /**
     * @return on the post record of a truncated model call, the {@code messages} and {@code tokens} that
     *     truncation dropped; otherwise null
     */
    public Map<String, Long> truncated() {
        return truncated;
    }

    /** @return true for a shadow-mode decision */
    public boolean shadow() {
        return shadow;
    }

    /** @return the operator of an admin action's record, redacted, or null */
    public String operator() {
        return operator;
    }

    /**
     * Writes the fields (not the enclosing braces) to a generator that is inside an object.
     *
     * @param g the generator
     * @throws IOException as the generator does
     */
    void writeFields(JsonGenerator g) throws IOException {
        for (int i = 0; i < values.length; i++) {
            g.writeFieldName(FIELDS.get(i));
            writeValue(g, values[i]);
        }
        if (arguments != null) {
            g.writeStringField(ARGUMENTS, arguments);
        }
        if (truncated != null) {
            g.writeFieldName(TRUNCATED);
            writeValue(g, truncated);
        }
        if (shadow) {
            g.writeBooleanField(SHADOW, true);
        }
        if (operator != null) {
            g.writeStringField(OPERATOR, operator);
        }
        for (Map.Entry<String, Object> e : request.entrySet()) {
            g.writeFieldName(e.getKey());
            writeValue(g, e.getValue());
        }
        g.writeNumberField(V, VERSION);
    }

    private static void writeValue(JsonGenerator g, Object value) throws IOException {
        if (value == null) {
            g.writeNull();
        } else if (value instanceof String) {
            g.writeString((String) value);
        } else if (value instanceof Long) {
            g.writeNumber((Long) value);
        } else if (value instanceof Boolean) {
            g.writeBoolean((Boolean) value);
        } else if (value instanceof Map) {
            g.writeStartObject();
            for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
                g.writeFieldName(e.getKey().toString());
                writeValue(g, e.getValue());
            }
            g.writeEndObject();
        } else {
            throw new IllegalStateException("unexpected value type " + value.getClass().getName());
        }
    }

    /** @return the record as one compact JSON object (without {@code prev} and {@code hash}) */
    public String toJson() {
        StringWriter w = new StringWriter(512);
        try (JsonGenerator g = JSON.createGenerator(w)) {
            g.writeStartObject();
            writeFields(g);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return w.toString();
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof DecisionRecord)) {
            return false;
        }
        DecisionRecord r = (DecisionRecord) o;
        return shadow == r.shadow && Objects.equals(arguments, r.arguments) && Objects.equals(truncated, r.truncated)
                && Objects.equals(operator, r.operator)
                && request.equals(r.request) && java.util.Arrays.equals(values, r.values);
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(values) * 31 + Objects.hashCode(arguments);
    }

    /** @return the JSON object; every text in it is redacted */
    @Override
    public String toString() {
        return toJson();
    }
}

package dev.agentguard.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.agentguard.core.common.Money;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * One line of an audit file, parsed: the decision record's fields that the commands read. Mutable and reused from
 * line to line, so that reading a file allocates per line only the strings it keeps; {@link #parse} fills it.
 * Counts that a record does not carry are {@value #NONE}; money is in nano-dollars.
 */
final class AuditRecord {

    /** A count or figure the record does not carry. */
    static final long NONE = -1;

    long seq;
    long tsMillis;
    String guard;
    String mode;
    String kind;
    String phase;
    String action;
    String rule;
    String reason;
    String agent;
    String session;
    String user;
    String tenant;
    String model;
    String requestedModel;
    String tool;
    String provider;
    long input;
    long cacheRead;
    long cacheWrite;
    long output;
    long reasoning;
    long costNanos;
    long reservedNanos;
    Boolean priced;
    long latencyMs;
    long ttftMs;
    String outcome;
    boolean shadow;
    String arguments;
    /** Record version 2: the prompt's token count at admission, before any truncation. */
    long promptTokens;
    /** Record version 2: the request's output cap. */
    long maxOutputTokens;
    /** Record version 2: a fingerprint of the request's messages and tools (model calls). */
    String requestFingerprint;
    /** Record version 2: a fingerprint of the tool call's canonical arguments. */
    String argumentsFingerprint;
    /** Record version 2: the turn the call belongs to. */
    String turn;
    /** Record version 2: the request's last message is a tool result. */
    boolean continuesToolResult;
    /** The record version: 1 when the record has no {@code v} field. */
    int version;
    /** Rule ids of {@code fired}, and the action each called for, in pairs. */
    final List<String> fired = new ArrayList<>();

    private final JsonFactory json = new JsonFactory();

    /** @return true for a call's admission record */
    boolean isPre() {
        return "pre".equals(phase);
    }

    /** @return true for a call's settlement record */
    boolean isPost() {
        return "post".equals(phase);
    }

    /** @return true for a model call */
    boolean isModelCall() {
        return "model_call".equals(kind);
    }

    /** @return true for a tool call */
    boolean isToolCall() {
        return "tool_call".equals(kind);
    }

    private void clear() {
        seq = NONE;
        tsMillis = Long.MIN_VALUE;
        guard = mode = kind = phase = action = rule = reason = null;
        agent = session = user = tenant = model = requestedModel = tool = provider = outcome = arguments = null;
        input = cacheRead = cacheWrite = output = reasoning = NONE;
        costNanos = reservedNanos = NONE;
        priced = null;
        latencyMs = ttftMs = NONE;
        shadow = false;
        promptTokens = maxOutputTokens = NONE;
        requestFingerprint = argumentsFingerprint = turn = null;
        continuesToolResult = false;
        version = 1;
        fired.clear();
    }

    /**
     * Parses one line.
     *
     * @param line the bytes
     * @param length how many of them are the line (without its newline)
     * @return true if it is a decision record (a JSON object with an {@code action}); false otherwise
     */
    boolean parse(byte[] line, int length) {
        clear();
        try (JsonParser p = json.createParser(line, 0, length)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return false;
            }
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken v = p.nextToken();
                if (v == JsonToken.VALUE_NULL) {
                    continue;
                }
                switch (name) {
                    case "seq" -> seq = p.getLongValue();
                    case "ts" -> tsMillis = millis(p.getText());
                    case "guard" -> guard = p.getText();
                    case "mode" -> mode = p.getText();
                    case "kind" -> kind = p.getText();
                    case "phase" -> phase = p.getText();
                    case "action" -> action = p.getText();
                    case "rule" -> rule = p.getText();
                    case "reason" -> reason = p.getText();
                    case "agent" -> agent = p.getText();
                    case "session" -> session = p.getText();
                    case "user" -> user = p.getText();
                    case "tenant" -> tenant = p.getText();
                    case "model" -> model = p.getText();
                    case "requestedModel" -> requestedModel = p.getText();
                    case "tool" -> tool = p.getText();
                    case "provider" -> provider = p.getText();
                    case "usage" -> usage(p);
                    case "costUsd" -> costNanos = nanos(p.getText());
                    case "reservedUsd" -> reservedNanos = nanos(p.getText());
                    case "priced" -> priced = p.getBooleanValue();
                    case "latencyMs" -> latencyMs = p.getLongValue();
                    case "ttftMs" -> ttftMs = p.getLongValue();
                    case "outcome" -> outcome = p.getText();
                    case "shadow" -> shadow = p.getBooleanValue();
                    case "arguments" -> arguments = p.getText();
                    case "fired" -> fired(p);
                    case "v" -> version = p.getIntValue();
                    case "promptTokens" -> promptTokens = p.getLongValue();
                    case "maxOutputTokens" -> maxOutputTokens = p.getLongValue();
                    case "requestFingerprint" -> requestFingerprint = p.getText();
                    case "argumentsFingerprint" -> argumentsFingerprint = p.getText();
                    case "turn" -> turn = p.getText();
                    case "continuesToolResult" -> continuesToolResult = p.getBooleanValue();
                    default -> p.skipChildren();
                }
            }
            return t == JsonToken.END_OBJECT && action != null;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private void usage(JsonParser p) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            p.skipChildren();
            return;
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            long n = v == JsonToken.VALUE_NUMBER_INT ? p.getLongValue() : NONE;
            switch (name) {
                case "input" -> input = n;
                case "cacheRead" -> cacheRead = n;
                case "cacheWrite" -> cacheWrite = n;
                case "output" -> output = n;
                case "reasoning" -> reasoning = n;
                default -> p.skipChildren();
            }
        }
    }

    private void fired(JsonParser p) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            p.skipChildren();
            return;
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            p.nextToken();
            fired.add(name);
            fired.add(p.getText());
        }
    }

    private static long millis(String ts) {
        try {
            return Instant.parse(ts).toEpochMilli();
        } catch (DateTimeParseException e) {
            return Long.MIN_VALUE;
        }
    }

    private static long nanos(String usd) {
        try {
            return Money.usd(usd).nanos();
        } catch (IllegalArgumentException e) {
            return NONE;
        }
    }

    /** @return the record's time, or null when it has none */
    Instant ts() {
        return tsMillis == Long.MIN_VALUE ? null : Instant.ofEpochMilli(tsMillis);
    }
}

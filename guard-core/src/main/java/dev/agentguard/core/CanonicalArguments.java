package dev.agentguard.core;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.Arrays;

/**
 * Tool arguments in canonical form, so that two calls the model means the same compare equal: JSON objects with
 * their keys sorted, no whitespace, and numbers in one form ({@code 1}, {@code 1.0} and {@code 1e0} are all
 * {@code 1}). Arguments that are not JSON compare as their trimmed text.
 */
final class CanonicalArguments {

    /**
     * A streaming parser, not a tree: the canonical text is written, or the fingerprint computed, as the tokens come.
     * Arguments come from a model: the constraints bound what one call may cost.
     */
    private static final JsonFactory JSON = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(200).maxNumberLength(1_000).maxStringLength(5_000_000).build())
            .build();

    private CanonicalArguments() {
    }

    /**
     * @param arguments the raw arguments
     * @return the canonical JSON text, or the trimmed text when it is not JSON
     */
    static String canonical(String arguments) {
        String trimmed = arguments == null ? "" : arguments.trim();
        if (trimmed.isEmpty()) {
            return "";
        }
        StringBuilder sb = new StringBuilder(trimmed.length());
        try (JsonParser p = JSON.createParser(trimmed)) {
            write(p, p.nextToken(), sb);
            return p.nextToken() == null ? sb.toString() : trimmed; // trailing tokens: not one JSON value
        } catch (IOException | RuntimeException e) {
            return trimmed;
        }
    }

    /**
     * A 64-bit fingerprint of a tool call: equal for two calls whose canonical arguments are equal, and, as a 64-bit
     * hash can, different otherwise. It is computed from the parser's tokens, without writing the canonical text:
     * an object's members are hashed one by one and summed (so that their order does not count, as sorting them
     * makes it not count), an array's elements in order, a string from the parser's buffer (its escapes decoded, so
     * that {@code "\u00e9"} and {@code "é"} are one string), a number by its value as the canonical form writes it
     * ({@code 1}, {@code 1.0} and {@code 1e0} are one number). Only an object that gives a key twice (the last value
     * counts) or that has more than {@value #MAX_MEMBERS_CHECKED} members is hashed from its canonical text, parsed
     * again. Arguments that are not JSON are hashed as their trimmed text, apart from every JSON value.
     *
     * @param tool the tool name
     * @param arguments the raw arguments
     * @return the fingerprint; never 0
     */
    static long fingerprint(String tool, String arguments) {
        long h = (mix(FNV_OFFSET, tool) ^ SEPARATOR) * FNV_PRIME;
        String trimmed = arguments == null ? "" : arguments.trim();
        if (!trimmed.isEmpty()) {
            try {
                long value;
                try {
                    value = valueHash(trimmed, true);
                } catch (RepeatedKey e) {
                    // the canonical text keeps each key once, its last value: hash that, whose keys cannot repeat
                    value = valueHash(canonical(trimmed), false);
                }
                return finish((h ^ JSON_VALUE) * FNV_PRIME ^ value);
            } catch (IOException | RuntimeException e) {
                // not one JSON value: hashed as text below
            }
        }
        return finish(mix(h, trimmed));
    }

    /** Objects with more members than this are not checked for a repeated key: they are hashed from their text. */
    static final int MAX_MEMBERS_CHECKED = 64;

    /** Marks the arguments as JSON, so that no text hashes like a JSON value. */
    private static final long JSON_VALUE = 1L << 34;

    /** Thrown where an object may give a key twice: its fingerprint must come from its canonical text. */
    private static final class RepeatedKey extends IOException {
        RepeatedKey() {
            super("a key may be given twice");
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this; // a signal, caught a few frames up: no trace to fill
        }
    }

    /**
     * @param json one JSON value
     * @param checkKeys whether an object may give a key twice (false for a canonical text, which cannot)
     * @return the hash of its canonical form
     * @throws RepeatedKey if {@code checkKeys} and an object gives a key twice or has too many members to check
     * @throws IOException if it is not one JSON value
     */
    private static long valueHash(String json, boolean checkKeys) throws IOException {
        try (JsonParser p = JSON.createParser(json)) {
            long h = valueHash(p, p.nextToken(), checkKeys);
            if (p.nextToken() != null) {
                throw new IOException("not one JSON value");
            }
            return h;
        }
    }

    private static long valueHash(JsonParser p, JsonToken t, boolean checkKeys) throws IOException {
        if (t == null) {
            throw new IOException("no JSON value");
        }
        return switch (t) {
            case START_OBJECT -> objectHash(p, checkKeys);
            case START_ARRAY -> {
                long h = 0x9e3779b97f4a7c15L;
                for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
                    h = (h ^ valueHash(p, e, checkKeys)) * FNV_PRIME;
                }
                yield finish(h ^ 'A');
            }
            case VALUE_NUMBER_INT -> {
                JsonParser.NumberType type = p.getNumberType();
                if (type == JsonParser.NumberType.INT || type == JsonParser.NumberType.LONG) {
                    long v = p.getLongValue();
                    if (v > -EXACT_LONGS && v < EXACT_LONGS) {
                        yield numberHash(v);
                    }
                }
                yield decimalHash(p.getDecimalValue());
            }
            case VALUE_NUMBER_FLOAT -> decimalHash(p.getDecimalValue());
            case VALUE_STRING -> finish(mix(FNV_OFFSET ^ 'S', p.getTextCharacters(), p.getTextOffset(),
                    p.getTextLength()));
            case VALUE_TRUE -> 0x5bd1e9955bd1e995L;
            case VALUE_FALSE -> 0x27d4eb2f165667c5L;
            case VALUE_NULL -> 0x165667b19e3779f9L;
            default -> throw new IOException("unexpected " + t);
        };
    }

    /**
     * The members' hashes summed: the same whatever their order. A key given twice would count both values, where
     * the canonical form keeps the last: the keys are compared (by their kept hash codes first), and such an
     * object is reported for hashing from its canonical text.
     */
    private static long objectHash(JsonParser p, boolean checkKeys) throws IOException {
        String[] names = null;
        int n = 0;
        long sum = 0;
        for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
            String name = p.currentName();
            if (checkKeys) {
                if (n == MAX_MEMBERS_CHECKED) {
                    throw new RepeatedKey();
                }
                if (names == null) {
                    names = new String[8];
                } else if (n == names.length) {
                    names = Arrays.copyOf(names, 2 * n);
                }
                int code = name.hashCode();
                for (int i = 0; i < n; i++) {
                    if (names[i].hashCode() == code && names[i].equals(name)) {
                        throw new RepeatedKey();
                    }
                }
                names[n] = name;
            }
            n++;
            long member = finish((mix(FNV_OFFSET ^ 'K', name) ^ 'V') * FNV_PRIME ^ valueHash(p, p.nextToken(),
                    checkKeys));
            sum += member;
        }
        return finish((sum ^ 'O') * FNV_PRIME + n);
    }

    /** Integers of at most this many digits are hashed as longs, whichever form they came in. */
    private static final int EXACT_DIGITS = 18;
    /** 10^{@value #EXACT_DIGITS}: the integers below it in magnitude have at most that many digits. */
    private static final long EXACT_LONGS = 1_000_000_000_000_000_000L;

    private static long numberHash(long v) {
        return finish((FNV_OFFSET ^ 'N') * FNV_PRIME ^ v);
    }

    /** A number by its value: as a long when an integer below {@link #EXACT_LONGS}, else as its canonical text. */
    private static long decimalHash(BigDecimal d) {
        BigDecimal stripped = d.stripTrailingZeros();
        if (stripped.scale() <= 0 && stripped.precision() - stripped.scale() <= EXACT_DIGITS) {
            return numberHash(stripped.longValueExact());
        }
        return finish(mix(FNV_OFFSET ^ 'D', stripped.toString()));
    }

    /**
     * A 64-bit fingerprint of a text: FNV-1a over its UTF-16 characters taken two at a time (one 32-bit unit per
     * multiply; an odd last character is marked as such), then murmur3's 64-bit finalizer so that every bit of the
     * result depends on every character. It only has to tell "the same call again" from "another call"; it is not
     * a security hash (a model that wants a false loop can simply repeat itself), and it is several times faster
     * than the SHA-256 it replaced, which was a tenth of a guarded tool call.
     *
     * @param text any text
     * @return its fingerprint; never 0, which the guard reads as "unknown"
     */
    static long hash(String text) {
        return finish(mix(FNV_OFFSET, text));
    }

    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;
    /** Marks an odd last character: above every pair of characters, so no pair hashes like it. */
    private static final long LAST = 1L << 32;
    /** Between a tool's name and its arguments: no unit of a text hashes like it. */
    private static final long SEPARATOR = 1L << 33;

    private static long mix(long hash, String text) {
        long h = hash;
        int n = text.length();
        int i = 0;
        for (; i + 1 < n; i += 2) {
            h = (h ^ (text.charAt(i) | (long) text.charAt(i + 1) << 16)) * FNV_PRIME;
        }
        if (i < n) {
            h = (h ^ (text.charAt(i) | LAST)) * FNV_PRIME;
        }
        return h;
    }

    /** As {@link #mix(long, String)}, over {@code n} characters of an array from {@code from}. */
    private static long mix(long hash, char[] text, int from, int n) {
        long h = hash;
        int end = from + n;
        int i = from;
        for (; i + 1 < end; i += 2) {
            h = (h ^ (text[i] | (long) text[i + 1] << 16)) * FNV_PRIME;
        }
        if (i < end) {
            h = (h ^ (text[i] | LAST)) * FNV_PRIME;
        }
        return h;
    }

    private static long finish(long hash) {
        long h = hash;
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h == 0 ? 1 : h;
    }

    /**
     * Appends a JSON string literal, escaped exactly as Jackson's generator escapes it ({@code TextNode.toString()}),
     * without building a generator per string.
     */
    static void appendQuoted(String text, StringBuilder sb) {
        sb.append('"');
        JsonStringEncoder.getInstance().quoteAsString(text, sb);
        sb.append('"');
    }

    /** Writes the value that starts at {@code t} in canonical form; O(length), plus sorting each object's keys. */
    private static void write(JsonParser p, JsonToken t, StringBuilder sb) throws IOException {
        if (t == null) {
            throw new IOException("no JSON value");
        }
        switch (t) {
            case START_OBJECT -> writeObject(p, sb);
            case START_ARRAY -> {
                sb.append('[');
                boolean first = true;
                for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
                    if (!first) {
                        sb.append(',');
                    }
                    first = false;
                    write(p, e, sb);
                }
                sb.append(']');
            }
            case VALUE_NUMBER_INT -> {
                if (p.getNumberType() == JsonParser.NumberType.INT || p.getNumberType() == JsonParser.NumberType.LONG) {
                    long v = p.getLongValue();
                    if (v == 0 || v % 10 != 0) {
                        sb.append(v); // no trailing zero to strip: the same text as BigDecimal's, without one
                        break;
                    }
                }
                sb.append(p.getDecimalValue().stripTrailingZeros().toString());
            }
            case VALUE_NUMBER_FLOAT -> sb.append(p.getDecimalValue().stripTrailingZeros().toString());
            case VALUE_STRING -> appendQuoted(p.getText(), sb);
            case VALUE_TRUE -> sb.append("true");
            case VALUE_FALSE -> sb.append("false");
            case VALUE_NULL -> sb.append("null");
            default -> throw new IOException("unexpected " + t);
        }
    }

    /**
     * An object with its keys sorted; of a key given twice, the last value counts (as a JSON tree keeps it). Members
     * are written in place as they come; only when their keys were not already in strictly ascending order (the
     * usual case) are they cut out and rearranged.
     */
    private static void writeObject(JsonParser p, StringBuilder sb) throws IOException {
        int start = sb.length();
        sb.append('{');
        String[] names = new String[8];
        int[] ends = new int[8]; // where each member's text ends (its comma excluded)
        int n = 0;
        boolean ordered = true;
        for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
            String name = p.currentName();
            if (n > 0) {
                sb.append(',');
                ordered &= names[n - 1].compareTo(name) < 0;
            }
            if (n == names.length) {
                names = Arrays.copyOf(names, n * 2);
                ends = Arrays.copyOf(ends, n * 2);
            }
            appendQuoted(name, sb);
            sb.append(':');
            write(p, p.nextToken(), sb);
            names[n] = name;
            ends[n] = sb.length();
            n++;
        }
        if (!ordered) {
            String[][] members = new String[n][];
            int from = start + 1;
            for (int i = 0; i < n; i++) {
                members[i] = new String[] {names[i], sb.substring(from, ends[i])};
                from = ends[i] + 1;
            }
            Arrays.sort(members, (a, b) -> a[0].compareTo(b[0])); // stable: of equal keys, the last given stays last
            sb.setLength(start + 1);
            boolean first = true;
            for (int i = 0; i < n; i++) {
                if (i + 1 < n && members[i + 1][0].equals(members[i][0])) {
                    continue; // a later value of the same key replaces this one
                }
                if (!first) {
                    sb.append(',');
                }
                first = false;
                sb.append(members[i][1]);
            }
        }
        sb.append('}');
    }
}

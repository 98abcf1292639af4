package dev.agentguard.core;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.io.IOException;
import java.util.Arrays;

/**
 * Tool arguments in canonical form, so that two calls the model means the same compare equal: JSON objects with
 * their keys sorted, no whitespace, and numbers in one form ({@code 1}, {@code 1.0} and {@code 1e0} are all
 * {@code 1}). Arguments that are not JSON compare as their trimmed text.
 */
final class CanonicalArguments {

    /**
     * A streaming parser, not a tree: the canonical text is written as the tokens come, and only an object's members
     * are held (to sort them). Arguments come from a model: the constraints bound what one call may cost.
     */
    private static final JsonFactory JSON = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(200).maxNumberLength(1_000).maxStringLength(5_000_000).build())
            .build();

    /**
     * Each thread's buffer for the canonical text of a fingerprint, which is hashed where it is written: no buffer,
     * no growth and no string per tool call. A buffer grown past {@value #KEPT_CAPACITY} characters (a call with
     * huge arguments) is not kept.
     */
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);
    private static final int KEPT_CAPACITY = 64 * 1024;

    /** A thread's buffers: the canonical text as written, and its characters copied out to be hashed. */
    private static final class Scratch {
        final StringBuilder text = new StringBuilder(256);
        char[] chars = new char[256];
    }

    private CanonicalArguments() {
    }

    /**
     * @param arguments the raw arguments
     * @return the canonical JSON text, or the trimmed text when it is not JSON
     */
    static String canonical(String arguments) {
        return canonical(arguments, new StringBuilder()).toString();
    }

    /** Writes the canonical text into {@code sb} (emptied first) and returns it, or returns the trimmed text. */
    private static CharSequence canonical(String arguments, StringBuilder sb) {
        String trimmed = arguments == null ? "" : arguments.trim();
        if (trimmed.isEmpty()) {
            return "";
        }
        sb.setLength(0);
        try (JsonParser p = JSON.createParser(trimmed)) {
            write(p, p.nextToken(), sb);
            return p.nextToken() == null ? sb : trimmed; // trailing tokens: not one JSON value
        } catch (IOException | RuntimeException e) {
            return trimmed;
        }
    }

    /**
     * @param tool the tool name
     * @param arguments the raw arguments
     * @return a 64-bit fingerprint of the tool and its canonical arguments (see {@link #hash}); never 0
     */
    static long fingerprint(String tool, String arguments) {
        long h = mix(FNV_OFFSET, tool);
        h = (h ^ SEPARATOR) * FNV_PRIME;
        Scratch scratch = SCRATCH.get();
        CharSequence canonical = canonical(arguments, scratch.text);
        if (canonical instanceof String) {
            return finish(mix(h, (String) canonical));
        }
        int n = canonical.length();
        if (scratch.chars.length < n) {
            scratch.chars = new char[Math.max(n, 2 * scratch.chars.length)];
        }
        scratch.text.getChars(0, n, scratch.chars, 0); // hashed from an array: a builder's charAt checks twice
        long fingerprint = finish(mix(h, scratch.chars, n));
        if (scratch.text.capacity() > KEPT_CAPACITY) {
            SCRATCH.remove();
        }
        return fingerprint;
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

    /** As {@link #mix(long, String)}, over the first {@code n} characters of an array. */
    private static long mix(long hash, char[] text, int n) {
        long h = hash;
        int i = 0;
        for (; i + 1 < n; i += 2) {
            h = (h ^ (text[i] | (long) text[i + 1] << 16)) * FNV_PRIME;
        }
        if (i < n) {
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

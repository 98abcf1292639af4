package dev.agentguard.core;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
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
        try (JsonParser p = JSON.createParser(trimmed)) {
            StringBuilder sb = new StringBuilder(trimmed.length());
            write(p, p.nextToken(), sb);
            return p.nextToken() == null ? sb.toString() : trimmed; // trailing tokens: not one JSON value
        } catch (IOException | RuntimeException e) {
            return trimmed;
        }
    }

    /**
     * @param tool the tool name
     * @param arguments the raw arguments
     * @return a 64-bit fingerprint of the tool and its canonical arguments (the first bytes of a SHA-256)
     */
    static long fingerprint(String tool, String arguments) {
        Hasher h = HASHER.get();
        h.update(tool);
        h.update("\u0000");
        h.update(canonical(arguments));
        return h.finish();
    }

    /**
     * @param text any text
     * @return its 64-bit fingerprint (the first bytes of a SHA-256)
     */
    static long hash(String text) {
        Hasher h = HASHER.get();
        h.update(text);
        return h.finish();
    }

    /** One per thread: looking SHA-256 up among the security providers costs more than hashing arguments. */
    private static final ThreadLocal<Hasher> HASHER = ThreadLocal.withInitial(Hasher::new);

    /**
     * SHA-256 over UTF-8 text, encoded through one reused buffer: no byte array per text. Not thread-safe: one per
     * thread.
     */
    private static final class Hasher {
        private final MessageDigest sha256;
        private final CharsetEncoder utf8 = StandardCharsets.UTF_8.newEncoder()
                .onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE);
        private final ByteBuffer bytes = ByteBuffer.allocate(1024);
        private final byte[] digest = new byte[32];

        Hasher() {
            try {
                sha256 = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("every JVM has SHA-256", e);
            }
        }

        /** Adds a text's UTF-8 bytes (a lone surrogate as {@code ?}, as {@code String.getBytes} writes it). */
        void update(String text) {
            int n = text.length();
            int i = 0;
            for (; i < n; i++) { // ASCII, the usual case: one byte a char, no encoder
                char c = text.charAt(i);
                if (c >= 0x80) {
                    break;
                }
                if (!bytes.hasRemaining()) {
                    drain();
                }
                bytes.put((byte) c);
            }
            if (i == n) {
                drain();
                return;
            }
            CharBuffer chars = CharBuffer.wrap(text, i, n);
            utf8.reset();
            while (true) {
                CoderResult r = utf8.encode(chars, bytes, true);
                if (r.isUnderflow()) {
                    r = utf8.flush(bytes);
                }
                drain();
                if (r.isUnderflow()) {
                    return;
                }
            }
        }

        private void drain() {
            sha256.update(bytes.array(), 0, bytes.position());
            bytes.clear();
        }

        /** @return the first 8 bytes of the digest of everything added; resets for the next text */
        long finish() {
            try {
                sha256.digest(digest, 0, digest.length);
            } catch (DigestException e) {
                throw new IllegalStateException("a 32-byte buffer holds a SHA-256", e);
            }
            long v = 0;
            for (int i = 0; i < 8; i++) {
                v = v << 8 | (digest[i] & 0xff);
            }
            return v;
        }
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

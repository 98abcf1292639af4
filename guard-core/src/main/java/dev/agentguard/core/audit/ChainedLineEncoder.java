package dev.agentguard.core.audit;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Encodes a record as one chained line ({@link AuditLine}): its fields, {@code prev}, then {@code hash}, the
 * chain's hash of the bytes before it. Keeps no chain position: the caller says what {@code prev} is. Not
 * thread-safe (one per writer); the line's bytes are valid until the next {@link #encode}.
 */
final class ChainedLineEncoder {

    private static final JsonFactory JSON = JsonFactory.builder()
            .disable(StreamWriteFeature.AUTO_CLOSE_CONTENT) // the object is closed by hand, after the hash
            .disable(StreamWriteFeature.AUTO_CLOSE_TARGET)
            .build();
    private static final byte[] LINE_END = "\"}\n".getBytes(StandardCharsets.US_ASCII);

    private final ChainHasher hasher;
    private final LineBytes line = new LineBytes();

    ChainedLineEncoder(ChainHasher hasher) {
        this.hasher = hasher;
    }

    ChainHasher hasher() {
        return hasher;
    }

    /**
     * @param record the record
     * @param prev the hash of the line before
     * @return the new line's hash; its bytes are {@link #bytes()} up to {@link #length()}, newline included
     */
    String encode(DecisionRecord record, String prev) {
        line.reset();
        try (JsonGenerator g = JSON.createGenerator(line)) {
            g.writeStartObject();
            record.writeFields(g);
            g.writeStringField("prev", prev);
        } catch (IOException e) {
            throw new IllegalStateException("writing to memory failed", e);
        }
        String hash = hasher.hash(line.array(), 0, line.size());
        line.write(AuditLine.HASH_FIELD, 0, AuditLine.HASH_FIELD.length);
        line.writeAscii(hash);
        line.write(LINE_END, 0, LINE_END.length);
        return hash;
    }

    byte[] bytes() {
        return line.array();
    }

    int length() {
        return line.size();
    }

    /** A growable byte buffer whose array is readable without copying. */
    private static final class LineBytes extends ByteArrayOutputStream {
        LineBytes() {
            super(1024);
        }

        byte[] array() {
            return buf;
        }

        void writeAscii(String s) {
            for (int i = 0; i < s.length(); i++) {
                write(s.charAt(i));
            }
        }
    }
}

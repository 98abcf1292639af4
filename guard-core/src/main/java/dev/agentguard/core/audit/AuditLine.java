package dev.agentguard.core.audit;

import java.nio.charset.StandardCharsets;

/**
 * The layout of one chained line: {@code {<fields>,"prev":"<64 hex>","hash":"<64 hex>"}}. The hash covers the
 * bytes before {@code ,"hash":}, so {@code prev} (the previous line's hash) is inside what is hashed and the
 * lines form a chain. Parsing is byte-level: no JSON parser decides what was hashed.
 */
final class AuditLine {

    static final byte[] HASH_FIELD = ",\"hash\":\"".getBytes(StandardCharsets.US_ASCII);
    static final byte[] PREV_FIELD = "\"prev\":\"".getBytes(StandardCharsets.US_ASCII);
    /** {@code ,"hash":"} + 64 hex + {@code "}}. */
    static final int SUFFIX_LENGTH = HASH_FIELD.length + 64 + 2;
    /** {@code "prev":"} + 64 hex + {@code "}. */
    static final int PREV_LENGTH = PREV_FIELD.length + 64 + 1;

    final int prefixLength;
    final String prev;
    final String hash;

    private AuditLine(int prefixLength, String prev, String hash) {
        this.prefixLength = prefixLength;
        this.prev = prev;
        this.hash = hash;
    }

    /**
     * @param b the line's bytes, without its newline
     * @param len how many bytes of {@code b} are the line
     * @return the parsed line, or null when it is not a chained record
     */
    static AuditLine parse(byte[] b, int len) {
        if (len < 2 + PREV_LENGTH + SUFFIX_LENGTH || b[0] != '{' || b[len - 1] != '}' || b[len - 2] != '"') {
            return null;
        }
        int hashField = len - SUFFIX_LENGTH;
        if (!startsWith(b, hashField, HASH_FIELD) || !ChainHasher.isHex64(b, hashField + HASH_FIELD.length)) {
            return null;
        }
        int prevField = hashField - PREV_LENGTH;
        if (!startsWith(b, prevField, PREV_FIELD) || !ChainHasher.isHex64(b, prevField + PREV_FIELD.length)
                || b[hashField - 1] != '"' || (b[prevField - 1] != ',' && b[prevField - 1] != '{')) {
            return null;
        }
        return new AuditLine(hashField,
                new String(b, prevField + PREV_FIELD.length, 64, StandardCharsets.US_ASCII),
                new String(b, hashField + HASH_FIELD.length, 64, StandardCharsets.US_ASCII));
    }

    private static boolean startsWith(byte[] b, int offset, byte[] marker) {
        if (offset < 0 || offset + marker.length > b.length) {
            return false;
        }
        for (int i = 0; i < marker.length; i++) {
            if (b[offset + i] != marker[i]) {
                return false;
            }
        }
        return true;
    }
}

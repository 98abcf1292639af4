package dev.agentguard.core.audit;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The hash of the audit chain: SHA-256, or HMAC-SHA256 when a key is given, over the bytes of a line up to its
 * {@code hash} field. Not thread-safe: one per writer or verifier.
 */
final class ChainHasher {

    /** The {@code prev} of the first record of a chain. */
    static final String GENESIS = "0".repeat(64);

    private static final HexFormat HEX = HexFormat.of();

    private final MessageDigest digest;
    private final Mac mac;

    private ChainHasher(MessageDigest digest, Mac mac) {
        this.digest = digest;
        this.mac = mac;
    }

    /**
     * @param key the HMAC key, or null for plain SHA-256
     * @return a hasher
     */
    static ChainHasher of(byte[] key) {
        try {
            if (key == null) {
                return new ChainHasher(MessageDigest.getInstance("SHA-256"), null);
            }
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return new ChainHasher(null, mac);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 / HmacSHA256 is not available in this JVM", e);
        }
    }

    boolean keyed() {
        return mac != null;
    }

    String algorithm() {
        return mac != null ? "hmac-sha256" : "sha256";
    }

    /** @return the lower-case hex hash of the given bytes */
    String hash(byte[] bytes, int offset, int length) {
        byte[] h;
        if (mac != null) {
            mac.update(bytes, offset, length);
            h = mac.doFinal();
        } else {
            digest.update(bytes, offset, length);
            h = digest.digest();
        }
        return HEX.formatHex(h);
    }

    String hash(String text) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        return hash(b, 0, b.length);
    }

    static boolean isHex64(byte[] b, int offset) {
        if (offset < 0 || offset + 64 > b.length) {
            return false;
        }
        for (int i = offset; i < offset + 64; i++) {
            byte c = b[i];
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return false;
            }
        }
        return true;
    }
}

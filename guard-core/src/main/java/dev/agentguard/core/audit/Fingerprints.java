package dev.agentguard.core.audit;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The fingerprints written in decision records: 16 hex digits of an HMAC-SHA256 of a 64-bit request fingerprint,
 * under a key drawn at random once per process and never written anywhere. Equal inputs give equal fingerprints
 * within one process (all a replay compares), while nobody can test a guess of the arguments against a record.
 */
final class Fingerprints {

    private static final byte[] KEY = new byte[32];
    private static final ThreadLocal<Mac> MAC;
    private static final HexFormat HEX = HexFormat.of();

    static {
        new SecureRandom().nextBytes(KEY);
        MAC = ThreadLocal.withInitial(() -> {
            try {
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(new SecretKeySpec(KEY, "HmacSHA256"));
                return mac;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
            }
        });
    }

    private Fingerprints() {
    }

    /** @return 16 lower-case hex digits */
    static String of(long fingerprint) {
        Mac mac = MAC.get();
        for (int i = 7; i >= 0; i--) {
            mac.update((byte) (fingerprint >>> (8 * i)));
        }
        return HEX.formatHex(mac.doFinal(), 0, 8); // the first 8 bytes, as the chain hasher writes hex
    }
}

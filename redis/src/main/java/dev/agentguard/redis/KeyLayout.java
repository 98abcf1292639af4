package dev.agentguard.redis;

import dev.agentguard.core.ledger.BudgetKey;
import dev.agentguard.core.window.WindowSpec;
import java.nio.charset.StandardCharsets;

/**
 * Key names. Every key of one guard starts with {@code prefix + "{" + guard + "}:"}: the braces are a hash tag, so
 * all of them sit in one Redis Cluster slot and one script may touch any of them. Names taken from policies and
 * requests are percent-encoded (anything but letters, digits and {@code . _ ~ / @ + = , -}), so that no budget id
 * or session id can break out of its field or move the hash tag.
 */
final class KeyLayout {

    private final String root;

    KeyLayout(String prefix, String guard) {
        this.root = prefix + "{" + encode(guard) + "}:";
    }

    /** @return the sorted set of open holds, scored by lease end (ms, server time) */
    String holds() {
        return root + "holds";
    }

    /** @return the hash of hold id to the windows it reserved on */
    String holdData() {
        return root + "hold";
    }

    /** @return the key of a reconciliation already applied (so that a retried one counts once) */
    String applied(String id) {
        return root + "applied:" + id;
    }

    /** @return the base of a window's keys: base:r (reserved), base:shape:bucket (settled) */
    String base(BudgetKey key) {
        return root + "w:" + encode(key.budgetId()) + ":" + key.scope().id() + ":" + encode(key.scopeKey());
    }

    /** @return the shape part of a window's bucket keys: a reshaped budget starts new buckets */
    static String shape(WindowSpec w) {
        if (w.isCalendar()) {
            return "c" + w.period().name().charAt(0) + "-" + encode(w.zone().getId());
        }
        return "s" + width(w) + "x" + w.buckets();
    }

    /** @return the width of a sliding window's bucket in milliseconds, at least 1 */
    static long width(WindowSpec w) {
        return Math.max(1, w.length().toMillis() / w.buckets());
    }

    /**
     * @param w a calendar window
     * @param epochMillis a moment
     * @return {start, end} of the period holding that moment, in ms
     */
    static long[] period(WindowSpec w, long epochMillis) {
        return w.periodBounds(epochMillis);
    }

    static String encode(String s) {
        StringBuilder out = null;
        byte[] bytes = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!plain(c)) {
                bytes = s.getBytes(StandardCharsets.UTF_8);
                out = new StringBuilder(bytes.length * 3);
                break;
            }
        }
        if (out == null) {
            return s.isEmpty() ? "%" : s; // "%" alone cannot come out of encoding anything else
        }
        for (byte b : bytes) {
            char c = (char) (b & 0xff);
            if (c < 0x80 && plain(c)) {
                out.append(c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit((c >> 4) & 0xf, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return out.toString();
    }

    private static boolean plain(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                || c == '.' || c == '_' || c == '~' || c == '/' || c == '@' || c == '+' || c == '=' || c == ','
                || c == '-';
    }
}

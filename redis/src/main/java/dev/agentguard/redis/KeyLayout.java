package dev.agentguard.redis;

import dev.agentguard.core.common.Scope;
import dev.agentguard.core.ledger.BudgetKey;
import dev.agentguard.core.window.CalendarPeriod;
import dev.agentguard.core.window.WindowSpec;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZoneId;

/**
 * Key names. Every key of one guard starts with {@code prefix + "{" + guard + "}:"}: the braces are a hash tag, so
 * all of them sit in one Redis Cluster slot and one script may touch any of them. Names taken from policies and
 * requests are percent-encoded (anything but letters, digits and {@code . _ ~ / @ + = , -}), so that no budget id
 * or session id can break out of its field or move the hash tag.
 */
final class KeyLayout {

    private static final WindowSpec UNKNOWN_SHAPE = WindowSpec.sliding(Duration.ofMinutes(1));

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

    /**
     * @return the key of a suspension of {@code key}: {@code base:s}, holding "until limit shape" and expiring at
     *     until. No window shape is ever the single letter {@code s}, so it cannot be taken for a window's key
     */
    String suspension(BudgetKey key) {
        return base(key) + ":s";
    }

    /** @return a SCAN pattern for every key of the windows of a budget, or of every budget when null */
    String windowsPattern(String budgetId) {
        return glob(root) + "w:" + (budgetId == null ? "*" : glob(encode(budgetId)) + ":*");
    }

    /** @return a SCAN pattern for every key of one window (settled, reserved, suspension) */
    String windowPattern(BudgetKey key) {
        return glob(base(key)) + ":*";
    }

    /**
     * Splits a key found under {@link #windowsPattern} into its parts after the root: {@code w}, budget, scope, key,
     * then {@code r}, {@code s} or a shape, then a calendar period's start.
     *
     * @return the parts, or null for a key of another layout
     */
    String[] parts(String redisKey) {
        if (!redisKey.startsWith(root)) {
            return null;
        }
        String[] p = redisKey.substring(root.length()).split(":", -1);
        return p.length >= 5 && p.length <= 6 && p[0].equals("w") ? p : null;
    }

    /**
     * @return the budget key of parsed {@link #parts}, with the window shape given; a shape that could not be read
     *     back (null) stands as a one-minute sliding window: keys are equal whatever their shape
     */
    static BudgetKey keyOf(String[] parts, WindowSpec window) {
        return new BudgetKey(decode(parts[1]), Scope.valueOf(parts[2].toUpperCase(java.util.Locale.ROOT)),
                decode(parts[3]), window != null ? window : UNKNOWN_SHAPE);
    }

    /** @return a SCAN pattern for every suspension key of the guard */
    String suspensionsPattern() {
        return glob(root) + "w:*:s";
    }

    /** @return the window shape written by {@link #shape}, or null when it cannot be read back */
    static WindowSpec spec(String shape) {
        try {
            if (shape.startsWith("s")) {
                int x = shape.indexOf('x');
                long width = Long.parseLong(shape.substring(1, x));
                int buckets = Integer.parseInt(shape.substring(x + 1));
                return WindowSpec.sliding(Duration.ofMillis(width * buckets), buckets);
            }
            if (shape.startsWith("c") && shape.length() > 3) {
                CalendarPeriod period = null;
                for (CalendarPeriod p : CalendarPeriod.values()) {
                    if (p.name().charAt(0) == shape.charAt(1)) {
                        period = p;
                    }
                }
                return period == null ? null : WindowSpec.calendar(period, ZoneId.of(decode(shape.substring(3))));
            }
        } catch (RuntimeException e) {
            return null; // a key written by another version: listed without its shape
        }
        return null;
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

    static String decode(String s) {
        if (s.equals("%")) {
            return "";
        }
        if (s.indexOf('%') < 0) {
            return s;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%' && i + 2 < s.length()) {
                out.write(Integer.parseInt(s.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                out.write(c);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** @return the text as a SCAN pattern that matches only itself */
    static String glob(String s) {
        StringBuilder out = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') {
                out.append('\\');
            }
            out.append(c);
        }
        return out.toString();
    }

    private static boolean plain(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                || c == '.' || c == '_' || c == '~' || c == '/' || c == '@' || c == '+' || c == '=' || c == ','
                || c == '-';
    }
}

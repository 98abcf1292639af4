package dev.agentguard.opentelemetry;

/**
 * Nano-dollars as the decision records write them ({@code Money.format}: a plain decimal with trailing zeros
 * removed but at least two decimals, {@code 0.00018}, {@code 2.00}), without a {@code BigDecimal} per call: a
 * span carries two amounts and this runs on every call. Exact; O(digits).
 */
final class Usd {

    private static final long NANOS_PER_USD = 1_000_000_000L;

    private Usd() {
    }

    static String format(long nanos) {
        if (nanos == Long.MIN_VALUE) {
            return dev.agentguard.core.common.Money.format(nanos); // cannot be negated; never a real amount
        }
        StringBuilder sb = new StringBuilder(20);
        long abs = nanos;
        if (nanos < 0) {
            sb.append('-');
            abs = -nanos;
        }
        sb.append(abs / NANOS_PER_USD).append('.');
        long fraction = abs % NANOS_PER_USD;
        int start = sb.length();
        for (long unit = NANOS_PER_USD / 10; unit > 0; unit /= 10) {
            sb.append((char) ('0' + fraction / unit % 10));
        }
        int end = sb.length();
        while (end > start + 2 && sb.charAt(end - 1) == '0') {
            end--;
        }
        sb.setLength(end);
        return sb.toString();
    }
}

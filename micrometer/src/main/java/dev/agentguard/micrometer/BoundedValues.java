package dev.agentguard.micrometer;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The values one tag may take: the first {@code max} distinct values seen are kept as they are, every later one
 * becomes {@value #OTHER}, so that a caller who sends a new model name on every request cannot grow the registry
 * without bound. O(1) per lookup; memory O(max).
 */
final class BoundedValues {

    /** The tag value of everything past the bound. */
    static final String OTHER = "_other";
    /** The tag value of a key the call did not have (no agent set, say). */
    static final String UNKNOWN = "unknown";

    private final Set<String> kept = ConcurrentHashMap.newKeySet();
    private final int max;

    BoundedValues(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("a tag needs room for at least one value, got " + max);
        }
        this.max = max;
    }

    /**
     * @param value the raw value, or null
     * @return the value to use as a tag: itself, {@value #UNKNOWN} for null or empty, or {@value #OTHER} past the
     *     bound
     */
    String of(String value) {
        if (value == null || value.isEmpty()) {
            return UNKNOWN;
        }
        if (kept.contains(value)) {
            return value;
        }
        if (kept.size() >= max) { // full: the set only grows, so no lock is needed to say so
            return OTHER;
        }
        synchronized (this) { // the size check and the add as one step, so that the bound holds exactly
            if (kept.size() >= max && !kept.contains(value)) {
                return OTHER;
            }
            kept.add(value);
            return value;
        }
    }

    /** @return how many distinct values are kept */
    int size() {
        return kept.size();
    }
}

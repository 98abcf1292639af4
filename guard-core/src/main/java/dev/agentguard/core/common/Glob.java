package dev.agentguard.core.common;

import java.util.Objects;

/**
 * A name pattern where {@code *} stands for any run of characters (none included) and every other character stands
 * for itself: {@code trial-*}, {@code gpt-4o*}, {@code *-eu}. Compiled once (when a policy is built) into its
 * literal parts, and matched without a regular expression and without allocating.
 *
 * <p>Matching is O(n·p) in the length of the name and the pattern, and usually O(n); memory is the pattern's parts.
 */
public final class Glob {

    private final String pattern;
    /** The literal runs between the stars; {@code parts[0]} is the prefix, the last one the suffix. */
    private final String[] parts;
    private final int literalLength;

    private Glob(String pattern) {
        this.pattern = pattern;
        this.parts = pattern.split("\\*", -1);
        int len = 0;
        for (String p : parts) {
            len += p.length();
        }
        this.literalLength = len;
    }

    /**
     * @param pattern the pattern, not empty
     * @return the compiled pattern
     * @throws IllegalArgumentException if the pattern is empty or made of stars only
     */
    public static Glob compile(String pattern) {
        Objects.requireNonNull(pattern, "pattern");
        if (pattern.isEmpty()) {
            throw new IllegalArgumentException("a name pattern must not be empty");
        }
        Glob g = new Glob(pattern);
        if (g.literalLength == 0 && pattern.length() > 1) {
            throw new IllegalArgumentException("the name pattern '" + pattern + "' is only stars; write '*'");
        }
        return g;
    }

    /** @param text a name @return whether the text has a star, that is whether it is a pattern rather than a name */
    public static boolean isPattern(String text) {
        return text.indexOf('*') >= 0;
    }

    /**
     * @param name the name to test
     * @return whether the whole name matches
     */
    public boolean matches(String name) {
        if (parts.length == 1) {
            return name.equals(pattern);
        }
        String first = parts[0];
        String last = parts[parts.length - 1];
        if (name.length() < literalLength || !name.startsWith(first) || !name.endsWith(last)) {
            return false;
        }
        int from = first.length();
        int end = name.length() - last.length();
        for (int i = 1; i < parts.length - 1; i++) {
            String p = parts[i];
            if (p.isEmpty()) {
                continue;
            }
            int at = name.indexOf(p, from);
            if (at < 0 || at + p.length() > end) {
                return false;
            }
            from = at + p.length();
        }
        return true;
    }

    /** @return how many characters of the pattern are not stars: the more, the more specific the pattern */
    public int literalLength() {
        return literalLength;
    }

    /** @return the pattern as written */
    public String pattern() {
        return pattern;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Glob && ((Glob) o).pattern.equals(pattern);
    }

    @Override
    public int hashCode() {
        return pattern.hashCode();
    }

    @Override
    public String toString() {
        return pattern;
    }
}
